import { Socket } from 'node:net';
import { MODBUS_EXCEPTIONS, type ModbusClient, type RegisterTable } from './modbus-client.js';

export interface ModbusTcpClientOptions {
  host: string;
  /** Default 502. */
  port?: number;
  /** ms for connecting and for each answer (default 2,000). */
  timeoutMs?: number;
}

interface Pending {
  tid: number;
  unitId: number;
  fc: number;
  count: number;
  resolve: (values: number[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Builds a Modbus TCP request: MBAP header (transaction id, protocol 0, length, unit id) then
 * the PDU (function code, start address, quantity), big-endian.
 * @example encodeReadRequest(1, 1, 3, 0, 2) // <00 01 00 00 00 06 01 03 00 00 00 02>
 */
export function encodeReadRequest(tid: number, unitId: number, fc: number, address: number, count: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(tid, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(6, 4);
  b.writeUInt8(unitId, 6);
  b.writeUInt8(fc, 7);
  b.writeUInt16BE(address, 8);
  b.writeUInt16BE(count, 10);
  return b;
}

/**
 * A Modbus TCP client for function codes 3 (read holding registers) and 4 (read input
 * registers). One connection, opened on first use and again after it drops; one request on the
 * wire at a time (many small devices serve only one), the others queue.
 */
export class ModbusTcpClient implements ModbusClient {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private tid = 0;
  private closed = false;
  private readonly where: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ModbusTcpClientOptions) {
    this.where = `Modbus device ${opts.host}:${opts.port ?? 502}`;
    this.timeoutMs = opts.timeoutMs ?? 2000;
  }

  readRegisters(unitId: number, table: RegisterTable, address: number, count: number): Promise<number[]> {
    if (!Number.isInteger(count) || count < 1 || count > 125)
      return Promise.reject(new Error(`can read 1 to 125 registers at once, not ${count}`));
    if (!Number.isInteger(address) || address < 0 || address + count > 65536)
      return Promise.reject(new Error(`register address ${address} (+${count}) is outside 0–65535`));
    const run = () => this.request(unitId, table === 'holding' ? 3 : 4, address, count);
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error(`${this.where}: client closed`));
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async request(unitId: number, fc: number, address: number, count: number): Promise<number[]> {
    if (this.closed) throw new Error(`${this.where}: client closed`);
    const socket = await this.connect();
    this.tid = (this.tid + 1) & 0xffff;
    const tid = this.tid;
    return new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The answer may still come and would then be mistaken for the next one: start afresh.
        this.fail(
          new Error(
            `${this.where}: no answer within ${this.timeoutMs} ms (unit ${unitId}, function ${fc}, address ${address})`,
          ),
        );
        this.drop();
      }, this.timeoutMs);
      this.pending = { tid, unitId, fc, count, resolve, reject, timer };
      socket.write(encodeReadRequest(tid, unitId, fc, address, count));
    });
  }

  private connect(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = new Socket();
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`${this.where}: could not connect within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${this.where}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      });
      s.connect(this.opts.port ?? 502, this.opts.host, () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        s.setNoDelay(true);
        s.on('data', (chunk) => this.onData(chunk));
        s.on('error', (err) =>
          this.fail(new Error(`${this.where}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)),
        );
        s.on('close', () => {
          if (this.socket === s) this.socket = undefined;
          this.fail(new Error(`${this.where}: connection closed`));
        });
        this.buffer = Buffer.alloc(0);
        this.socket = s;
        resolve(s);
      });
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 7) {
      const length = this.buffer.readUInt16BE(4);
      if (this.buffer.length < 6 + length) return;
      const frame = this.buffer.subarray(0, 6 + length);
      this.buffer = this.buffer.subarray(6 + length);
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Buffer): void {
    const p = this.pending;
    if (!p || frame.readUInt16BE(0) !== p.tid) return; // a late answer to a request that timed out
    const fc = frame.readUInt8(7);
    if (fc === (p.fc | 0x80)) {
      const code = frame.readUInt8(8);
      this.settle((q) =>
        q.reject(
          new Error(
            `${this.where}: Modbus exception ${code} ` +
              `(${MODBUS_EXCEPTIONS[code] ?? 'unknown'}) for unit ${p.unitId}, ` +
              `function ${p.fc}`,
          ),
        ),
      );
      return;
    }
    const bytes = frame.readUInt8(8);
    if (fc !== p.fc || bytes !== p.count * 2 || frame.length < 9 + bytes) {
      this.settle((q) =>
        q.reject(
          new Error(`${this.where}: malformed answer (function ${fc}, ${bytes} bytes for ${p.count} registers)`),
        ),
      );
      this.drop();
      return;
    }
    const values: number[] = [];
    for (let i = 0; i < p.count; i++) values.push(frame.readUInt16BE(9 + 2 * i));
    this.settle((q) => q.resolve(values));
  }

  private settle(fn: (p: Pending) => void): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    fn(p);
  }

  private fail(err: Error): void {
    this.settle((p) => p.reject(err));
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
