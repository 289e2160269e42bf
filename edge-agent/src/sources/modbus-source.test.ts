import { describe, it, expect } from '@jest/globals';
import type { ModbusClient, RegisterTable } from './modbus-client.js';
import { decodeRegisters, ModbusSource, planReads } from './modbus-source.js';
import { encodeReadRequest } from './modbus-tcp-client.js';

describe('Modbus register helpers', () => {
  it('decode 16- and 32-bit integers and floats in both word orders', () => {
    expect(decodeRegisters([0xffff], 'int16')).toBe(-1);
    expect(decodeRegisters([0xffff])).toBe(65535);
    expect(decodeRegisters([0x41a8, 0x0000], 'float32')).toBe(21);
    expect(decodeRegisters([0x0000, 0x41a8], 'float32', 'little')).toBe(21);
    expect(decodeRegisters([0x0001, 0x0000], 'uint32')).toBe(65536);
    expect(decodeRegisters([0xffff, 0xfffe], 'int32')).toBe(-2);
  });

  it('group nearby registers of one table into one read and keep tables apart', () => {
    const plan = planReads([
      { metric: 'a', address: 0 },
      { metric: 'b', address: 2, type: 'float32' },
      { metric: 'c', address: 100 },
      { metric: 'd', address: 0, table: 'input' },
    ]);
    expect(plan.map((b) => [b.table, b.start, b.count, b.defs.map((d) => d.metric)])).toEqual([
      ['holding', 0, 4, ['a', 'b']],
      ['holding', 100, 1, ['c']],
      ['input', 0, 1, ['d']],
    ]);
  });

  it('frame a read request with the MBAP header', () => {
    expect([...encodeReadRequest(7, 1, 3, 16, 2)]).toEqual([0, 7, 0, 0, 0, 6, 1, 3, 0, 16, 0, 2]);
  });
});

describe('ModbusSource', () => {
  const registers: Record<RegisterTable, number[]> = { holding: [215, 0xffff, 0, 0, 0, 0, 0, 0, 0, 0], input: [1000] };
  const client = (failInput = false): ModbusClient & { calls: string[] } => {
    const calls: string[] = [];
    return {
      calls,
      async readRegisters(unitId, table, address, count) {
        calls.push(`${unitId}:${table}:${address}+${count}`);
        if (failInput && table === 'input') throw new Error('Modbus exception 2 (illegal data address)');
        return registers[table].slice(address, address + count);
      },
      close() {},
    };
  };

  it('scales and offsets each register into a reading stamped with the sample time', async () => {
    const c = client();
    const s = new ModbusSource({
      name: 'plc',
      client: c,
      unitId: 5,
      registers: [
        { metric: 'temp', address: 0, scale: 0.1 },
        { metric: 'delta', address: 1, type: 'int16', offset: 10 },
        { metric: 'flow', table: 'input', address: 0, scale: 0.01 },
      ],
    });
    expect(await s.sample(9)).toEqual([
      { metric: 'temp', value: 21.5, ts: 9 },
      { metric: 'delta', value: 9, ts: 9 },
      { metric: 'flow', value: 10, ts: 9 },
    ]);
    expect(c.calls).toEqual(['5:holding:0+2', '5:input:0+1']);
  });

  it('reports what it could read when one block fails, and fails when all do', async () => {
    const s = new ModbusSource({
      name: 'plc',
      client: client(true),
      registers: [
        { metric: 'temp', address: 0 },
        { metric: 'flow', table: 'input', address: 0 },
      ],
    });
    expect((await s.sample(1)).map((r) => r.metric)).toEqual(['temp']);
    const onlyInput = new ModbusSource({
      name: 'plc',
      client: client(true),
      registers: [{ metric: 'flow', table: 'input', address: 0 }],
    });
    await expect(onlyInput.sample(1)).rejects.toThrow(/illegal data address/);
  });
});
