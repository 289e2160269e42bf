import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import Modbus from 'jsmodbus';
import { ModbusSource, ModbusTcpClient } from '../src/index.js';

/** A real Modbus TCP server (jsmodbus) on 127.0.0.1 with 100 holding and 100 input registers. */
async function startModbusServer(
  port = 0,
): Promise<{ port: number; holding: Buffer; input: Buffer; close(): Promise<void> }> {
  const holding = Buffer.alloc(200);
  const input = Buffer.alloc(200);
  const net: Server = createServer();
  const sockets = new Set<Socket>();
  net.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  new Modbus.server.TCP(net, { holding, input });
  await new Promise<void>((resolve) => net.listen(port, '127.0.0.1', resolve));
  return {
    port: (net.address() as AddressInfo).port,
    holding,
    input,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        net.close(() => resolve());
      }),
  };
}

describe('Modbus TCP against a real Modbus TCP server', () => {
  let server: Awaited<ReturnType<typeof startModbusServer>>;
  let client: ModbusTcpClient;
  beforeAll(async () => {
    server = await startModbusServer();
    client = new ModbusTcpClient({ host: '127.0.0.1', port: server.port, timeoutMs: 1000 });
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('reads holding registers (function 3) and input registers (function 4)', async () => {
    server.holding.writeUInt16BE(215, 0);
    server.holding.writeUInt16BE(0xfff6, 2);
    server.input.writeUInt16BE(4321, 10);
    expect(await client.readRegisters(1, 'holding', 0, 2)).toEqual([215, 0xfff6]);
    expect(await client.readRegisters(1, 'input', 5, 1)).toEqual([4321]);
  });

  it('answers many concurrent reads in order on one connection', async () => {
    for (let i = 0; i < 20; i++) server.holding.writeUInt16BE(i * 3, 2 * (20 + i));
    const values = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.readRegisters(1, 'holding', 20 + i, 1)),
    );
    expect(values.flat()).toEqual(Array.from({ length: 20 }, (_, i) => i * 3));
  });

  it('turns registers into scaled readings through the Modbus source', async () => {
    server.holding.writeUInt16BE(0x41a8, 60); // float32 21.0 at address 30-31
    server.holding.writeUInt16BE(0x0000, 62);
    server.input.writeUInt16BE(1234, 0);
    const source = new ModbusSource({
      name: 'plc',
      client: new ModbusTcpClient({ host: '127.0.0.1', port: server.port }),
      unitId: 1,
      registers: [
        { metric: 'temperature', address: 0, scale: 0.1 },
        { metric: 'pressure_delta', address: 1, type: 'int16', scale: 0.5, offset: 100 },
        { metric: 'setpoint', address: 30, type: 'float32' },
        { metric: 'flow_lpm', table: 'input', address: 0, scale: 0.01 },
      ],
    });
    expect(await source.sample(1000)).toEqual([
      { metric: 'temperature', value: 21.5, ts: 1000 },
      { metric: 'pressure_delta', value: 95, ts: 1000 },
      { metric: 'setpoint', value: 21, ts: 1000 },
      { metric: 'flow_lpm', value: 12.34, ts: 1000 },
    ]);
    source.close();
  });

  it('fails a read beyond the registers the device has, and recovers for the next one', async () => {
    // jsmodbus answers such a read with an empty body rather than exception 2; either is refused.
    await expect(client.readRegisters(1, 'holding', 150, 10)).rejects.toThrow(
      /Modbus exception 2 \(illegal data address\)|malformed answer \(function 3, 0 bytes for 10 registers\)/,
    );
    expect(await client.readRegisters(1, 'holding', 0, 1)).toEqual([215]); // the connection still works
  });

  it('fails while the device is away and reconnects when it is back', async () => {
    const port = server.port;
    await server.close();
    await expect(client.readRegisters(1, 'holding', 0, 1)).rejects.toThrow(
      new RegExp(`Modbus device 127\\.0\\.0\\.1:${port}: (ECONNREFUSED|connection closed)`),
    );
    server = await startModbusServer(port);
    server.holding.writeUInt16BE(7, 0);
    expect(await client.readRegisters(1, 'holding', 0, 1)).toEqual([7]);
  });

  it('times out when nothing answers', async () => {
    const held: Socket[] = [];
    const silent = createServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const c = new ModbusTcpClient({ host: '127.0.0.1', port: (silent.address() as AddressInfo).port, timeoutMs: 100 });
    await expect(c.readRegisters(1, 'holding', 0, 1)).rejects.toThrow(/no answer within 100 ms/);
    c.close();
    held.forEach((s) => s.destroy());
    await new Promise((r) => silent.close(r));
  });
});
