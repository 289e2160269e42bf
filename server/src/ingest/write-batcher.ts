import type { StoredPoint, TimeSeriesStore } from '../store/store.js';

/**
 * Groups the points of many messages into one store write: points added in the same turn of the
 * event loop (or until `maxPoints`) go in one batch, and every caller's promise settles when
 * that batch is durable. Cost is per write, not per point (SQLite: one transaction per batch).
 */
export class WriteBatcher {
  private points: StoredPoint[] = [];
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly store: TimeSeriesStore,
    private readonly maxPoints = 20_000,
  ) {}

  add(points: readonly StoredPoint[]): Promise<void> {
    for (const p of points) this.points.push(p);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.points.length >= this.maxPoints) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return done;
  }

  /** Writes what is pending now. */
  flush(): void {
    this.scheduled = false;
    if (this.waiters.length === 0) return;
    const points = this.points;
    const waiters = this.waiters;
    this.points = [];
    this.waiters = [];
    this.store.writeBatch(points).then(
      () => waiters.forEach((w) => w.resolve()),
      (err: unknown) => waiters.forEach((w) => w.reject(err)),
    );
  }
}
