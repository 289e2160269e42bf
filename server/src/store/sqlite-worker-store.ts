import { Worker } from 'node:worker_threads';
import type { ReadingBatch } from '@opsroom/models';
import type { StoreLogger } from './logger.js';
import { silentLogger } from './logger.js';
import type { RetentionPolicy, RetentionResult } from './retention.js';
import { SqliteStore } from './sqlite-store.js';
import type { SqliteStoreOptions } from './sqlite-store.js';
import type { WriterRequest, WriterResponse } from './sqlite-worker-protocol.js';
import { packReadings } from './sqlite-worker-protocol.js';
import type { RangeQuery, SeriesPoint, StoreHealth, StoredPoint, TimeSeriesStore } from './store.js';
import { closedError } from './validate.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

// Distributive Omit: keeps the union of requests a union.
type RequestBody = WriterRequest extends infer R ? (R extends WriterRequest ? Omit<R, 'id'> : never) : never;

/**
 * The embedded store with its writes off the main event loop (issue 10): a worker thread owns the
 * write connection (a SqliteStore running writeBatch, writeReadings, deleteBefore and
 * applyRetention, in arrival order), the main thread reads through its own connection to the same
 * WAL database (query, latest, count). Same contract as SqliteStore; a write resolves once the
 * writer thread has committed it, so a query issued after it sees it.
 *
 * Columnar batches are copied once into three buffers that are transferred (not cloned) to the
 * writer; the caller's arrays are left untouched. writeBatch objects are structured-cloned.
 * The write caches (series ids, high-water marks) live in the writer only; the reader keeps none
 * that a write could make wrong (series ids never change once given).
 *
 * If the writer thread dies, pending and later writes reject with an error saying so and
 * health() reports it; reads keep working.
 */
export class SqliteWorkerStore implements TimeSeriesStore {
  /**
   * Starts the writer thread on `<dataDir>/opsroom.db` (creating and migrating it), waits until it
   * is ready, then opens the main thread's read connection. Rejects when the database cannot be opened.
   */
  static async open(dataDir: string, opts: SqliteStoreOptions = {}): Promise<SqliteWorkerStore> {
    const { logger, ...options } = opts;
    // A small young generation: the writer allocates little that lives, and a default one grows to
    // tens of MB of resident memory under load (issue 10's memory row).
    const worker = new Worker(new URL('./sqlite-worker-entry.js', import.meta.url), {
      workerData: { dataDir, options },
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    let onMessage: (m: WriterResponse) => void = () => {};
    let onError: (err: Error) => void = () => {};
    let onExit: (code: number) => void = () => {};
    const first = await new Promise<WriterResponse>((resolve, reject) => {
      onMessage = resolve;
      onError = reject;
      onExit = (code) => reject(new Error(`the SQLite writer thread exited (code ${code}) before it was ready`));
      worker.once('message', onMessage).once('error', onError).once('exit', onExit);
    }).catch(async (err: Error) => {
      await worker.terminate();
      throw new Error(`cannot start the SQLite writer thread for ${dataDir}: ${err.message}`);
    });
    // Only ours: Worker keeps internal listeners (they ref its message port).
    worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    if (first.type !== 'ready') {
      await worker.terminate();
      throw new Error(
        first.type === 'failed'
          ? first.message
          : `unexpected first message from the SQLite writer thread: ${first.type}`,
      );
    }
    let reader: SqliteStore;
    try {
      reader = SqliteStore.open(dataDir, { ...options, logger });
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    return new SqliteWorkerStore(worker, reader, logger ?? silentLogger, first.health);
  }

  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private closePromise: Promise<void> | null = null;
  private writerError: string | null = null;
  private rejected = 0;

  private constructor(
    private readonly worker: Worker,
    private readonly reader: SqliteStore,
    private readonly log: StoreLogger,
    private writerHealth: StoreHealth,
  ) {
    worker.on('message', (m: WriterResponse) => this.onMessage(m));
    worker.on('error', (err) => this.writerStopped(`failed: ${err.message}`));
    worker.on('exit', (code) => this.writerStopped(`exited (code ${code})`));
  }

  /** Points the writer skipped as malformed (as of its last answer). */
  get rejectedPoints(): number {
    return this.rejected;
  }

  async writeBatch(points: readonly StoredPoint[]): Promise<void> {
    if (this.closed) throw closedError('sqlite');
    if (points.length === 0) return;
    await this.request({ op: 'writeBatch', points });
  }

  async writeReadings(batches: readonly ReadingBatch[]): Promise<void> {
    if (this.closed) throw closedError('sqlite');
    if (batches.length === 0) return;
    const packed = packReadings(batches);
    await this.request({ op: 'writeReadings', packed }, [
      packed.metric.buffer as ArrayBuffer,
      packed.ts.buffer as ArrayBuffer,
      packed.values.buffer as ArrayBuffer,
    ]);
  }

  async query(q: RangeQuery): Promise<SeriesPoint[]> {
    if (this.closed) throw closedError('sqlite');
    return this.reader.query(q);
  }

  windowSource(windowMs: number): 'raw' | 'minute' | 'hour' {
    return this.reader.windowSource(windowMs);
  }

  async latest(nodes?: readonly string[]): Promise<StoredPoint[]> {
    if (this.closed) throw closedError('sqlite');
    return this.reader.latest(nodes);
  }

  async deleteBefore(before: number): Promise<number> {
    if (this.closed) throw closedError('sqlite');
    return (await this.request({ op: 'deleteBefore', before })) as number;
  }

  async applyRetention(policy: RetentionPolicy, now: number): Promise<RetentionResult> {
    if (this.closed) throw closedError('sqlite');
    return (await this.request({ op: 'applyRetention', policy, now })) as RetentionResult;
  }

  /** Raw points stored (read on the main thread's connection; for tests and benchmarks). */
  async count(): Promise<number> {
    if (this.closed) throw closedError('sqlite');
    return this.reader.count();
  }

  health(): StoreHealth {
    if (this.closed) return { ok: false, backend: 'sqlite', detail: 'closed' };
    if (this.writerError !== null)
      return {
        ok: false,
        backend: 'sqlite',
        detail: `the SQLite writer thread ${this.writerError}; writes are refused until a restart`,
      };
    const r = this.reader.health();
    return {
      ok: r.ok && this.writerHealth.ok,
      backend: 'sqlite',
      detail: `writer thread: ${this.writerHealth.detail}; reader: ${r.detail}`,
    };
  }

  /** Waits for writes already posted, closes the writer's connection and thread, then the reader. Idempotent. */
  close(): Promise<void> {
    if (this.closePromise === null) {
      this.closed = true;
      this.closePromise = (async () => {
        if (this.writerError === null) {
          await this.request({ op: 'close' }).catch((err: Error) =>
            this.log.warn({ err }, 'closing the SQLite writer thread failed'),
          );
        }
        this.writerError ??= 'was closed';
        await this.worker.terminate();
        await this.reader.close();
      })();
    }
    return this.closePromise;
  }

  private request(body: RequestBody, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.writerError !== null)
      return Promise.reject(
        new Error(`the SQLite writer thread ${this.writerError}; nothing was stored; restart the server`),
      );
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as WriterRequest, transfer);
    });
  }

  private onMessage(m: WriterResponse): void {
    if (m.type !== 'done') return;
    this.writerHealth = m.health;
    this.rejected = m.rejected;
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else {
      const err = m.name === 'RangeError' ? new RangeError(m.message) : new Error(m.message);
      if (m.name !== 'RangeError') this.log.error({ err }, 'time-series write failed');
      p.reject(err);
    }
  }

  private writerStopped(why: string): void {
    if (this.writerError !== null) return;
    this.writerError = why;
    this.log.error({ why }, 'the SQLite writer thread stopped');
    const err = new Error(
      `the SQLite writer thread ${why} before answering; the write may or may not have been stored; restart the server`,
    );
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
