import type { Reading } from '@opsroom/models';
import { silentLogger, type Logger } from '../log/logger.js';
import type { ModbusClient, RegisterTable } from './modbus-client.js';
import type { Source } from './source.js';

export const REGISTER_TYPES = ['uint16', 'int16', 'uint32', 'int32', 'float32'] as const;
export type RegisterType = (typeof REGISTER_TYPES)[number];

/** One metric read from one or two registers: value = raw * scale + offset. */
export interface RegisterDef {
  metric: string;
  /** Default 'holding' (function 3); 'input' is function 4. */
  table?: RegisterTable;
  /** 0-based register address as on the wire (holding register 40001 is address 0). */
  address: number;
  /** Default 'uint16'; 32-bit types take two registers. */
  type?: RegisterType;
  /** For 32-bit types: 'big' (default) means the first register holds the high word. */
  wordOrder?: 'big' | 'little';
  /** Default 1. */
  scale?: number;
  /** Default 0. */
  offset?: number;
}

export interface ModbusSourceOptions {
  /** Names the source in logs (`modbus:<name>`). */
  name: string;
  client: ModbusClient;
  /** Unit (slave) id, 0–255; default 1. */
  unitId?: number;
  registers: readonly RegisterDef[];
  logger?: Logger;
}

/** Registers a 32-bit or 16-bit type occupies. */
export const registerWidth = (type: RegisterType = 'uint16') => (type === 'uint16' || type === 'int16' ? 1 : 2);

/**
 * Decodes raw register words into a number of the given type.
 * @example decodeRegisters([0xffff], 'int16') // -1
 * @example decodeRegisters([0x41a8, 0x0000], 'float32') // 21
 * @example decodeRegisters([0x0000, 0x0001], 'uint32', 'little') // 65536
 */
export function decodeRegisters(
  words: readonly number[],
  type: RegisterType = 'uint16',
  wordOrder: 'big' | 'little' = 'big',
): number {
  const b = Buffer.alloc(4);
  if (registerWidth(type) === 1) {
    b.writeUInt16BE(words[0]!, 0);
    return type === 'int16' ? b.readInt16BE(0) : b.readUInt16BE(0);
  }
  const [hi, lo] = wordOrder === 'big' ? [words[0]!, words[1]!] : [words[1]!, words[0]!];
  b.writeUInt16BE(hi, 0);
  b.writeUInt16BE(lo, 2);
  if (type === 'int32') return b.readInt32BE(0);
  if (type === 'float32') return b.readFloatBE(0);
  return b.readUInt32BE(0);
}

interface Block {
  table: RegisterTable;
  start: number;
  count: number;
  defs: RegisterDef[];
}

/**
 * Groups register definitions into as few reads as possible: per table, runs of addresses
 * whose span is at most `maxSpan` registers (125 is the protocol's limit) and whose gaps are at
 * most `maxGap` registers (reading a few unused registers is cheaper than another round trip).
 * @example planReads([{metric:'a',address:0},{metric:'b',address:1}]) // [{table:'holding',start:0,count:2,defs:[a,b]}]
 */
export function planReads(defs: readonly RegisterDef[], maxGap = 8, maxSpan = 125): Block[] {
  const blocks: Block[] = [];
  for (const table of ['holding', 'input'] as const) {
    const mine = defs.filter((d) => (d.table ?? 'holding') === table).sort((a, b) => a.address - b.address);
    let cur: Block | undefined;
    for (const d of mine) {
      const end = d.address + registerWidth(d.type);
      if (cur && d.address - (cur.start + cur.count) <= maxGap && end - cur.start <= maxSpan) {
        cur.count = Math.max(cur.count, end - cur.start);
        cur.defs.push(d);
      } else {
        cur = { table, start: d.address, count: end - d.address, defs: [d] };
        blocks.push(cur);
      }
    }
  }
  return blocks;
}

/**
 * Reads registers of a Modbus device on each sample, scaled into readings stamped `now`.
 * Reads are grouped (`planReads`); a block that fails is logged and its metrics skipped while
 * the others are still reported; when every block fails the sample fails.
 */
export class ModbusSource implements Source {
  readonly id: string;
  readonly metrics: readonly string[];
  private readonly blocks: Block[];
  private readonly unitId: number;
  private readonly log: Logger;

  constructor(private readonly opts: ModbusSourceOptions) {
    this.id = `modbus:${opts.name}`;
    if (opts.registers.length === 0) throw new Error('a Modbus source needs at least one register');
    this.unitId = opts.unitId ?? 1;
    this.blocks = planReads(opts.registers);
    this.metrics = Object.freeze(opts.registers.map((r) => r.metric));
    this.log = opts.logger ?? silentLogger;
  }

  async sample(now: number): Promise<Reading[]> {
    const out: Reading[] = [];
    const errors: string[] = [];
    for (const block of this.blocks) {
      let words: number[];
      try {
        words = await this.opts.client.readRegisters(this.unitId, block.table, block.start, block.count);
      } catch (err) {
        errors.push((err as Error).message);
        continue;
      }
      for (const d of block.defs) {
        const at = d.address - block.start;
        const raw = decodeRegisters(words.slice(at, at + registerWidth(d.type)), d.type, d.wordOrder);
        const value = raw * (d.scale ?? 1) + (d.offset ?? 0);
        if (Number.isFinite(value)) out.push({ metric: d.metric, value, ts: now });
      }
    }
    if (errors.length === this.blocks.length) throw new Error(errors[0]);
    if (errors.length > 0)
      this.log.warn(
        { source: this.id, failed: errors.length, of: this.blocks.length, err: errors[0] },
        'some Modbus reads failed; their metrics are skipped this time',
      );
    return out;
  }

  close(): void {
    this.opts.client.close();
  }
}
