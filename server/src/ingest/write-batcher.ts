import type { ReadingBatch } from '@opsroom/models';
import type { TimeSeriesStore } from '../store/store.js';

interface Pending {
  batches: ReadingBatch[];
  readings: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Groups the readings of many messages into one store write: batches added in the same turn of
 * the event loop (or until `maxReadings`) go in one write, and every caller gets the one promise
 * that settles when that write is durable. Cost is per write, not per message or reading
 * (SQLite: one transaction per write).
 */
export class WriteBatcher {
  private pending: Pending | null = null;

  constructor(
    private readonly store: TimeSeriesStore,
    private readonly maxReadings = 20_000,
  ) {}

  add(batch: ReadingBatch): Promise<void> {
    let p = this.pending;
    if (p === null) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      p = this.pending = { batches: [], readings: 0, done, resolve, reject };
      setImmediate(() => this.flush(p!));
    }
    p.batches.push(batch);
    p.readings += batch.length;
    const done = p.done;
    if (p.readings >= this.maxReadings) this.flush(p);
    return done;
  }

  /** Writes what is pending now (or, given `p`, that group if it is still pending). */
  flush(p: Pending | null = this.pending): void {
    if (p === null || p !== this.pending) return;
    this.pending = null;
    this.store.writeReadings(p.batches).then(p.resolve, p.reject);
  }
}
