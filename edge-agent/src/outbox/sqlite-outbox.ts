import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Reading } from '@opsroom/models';
import {
  EMPTY_BATCH,
  OutboxClosedError,
  resolveOutboxOptions,
  type Outbox,
  type OutboxBatch,
  type OutboxOptions,
  type OverflowPolicy,
} from './outbox.js';

export interface SqliteOutboxOptions extends OutboxOptions {
  /** Path of the database file; its directory is created if missing. */
  file: string;
  /**
   * SQLite `synchronous` setting. 'full' (default) makes each append survive a power cut;
   * 'normal' survives a process crash but may lose the last appends on power loss, for less I/O.
   */
  synchronous?: 'full' | 'normal';
}

interface Row {
  seq: number;
  metric: string;
  value: number;
  ts: number;
}

/**
 * An outbox in an SQLite file (better-sqlite3, WAL journal): readings survive a broker outage
 * and a restart of the agent. Reopening the file finds the un-acked readings in order.
 *
 * `seq` is an AUTOINCREMENT key, so sequence numbers are never reused even after the table
 * empties: an ack for an old batch can never delete newer readings. The overflow count is kept
 * in the file too (table `counters`), so `dropped` is the file's lifetime total, across restarts.
 */
export class SqliteOutbox implements Outbox {
  readonly maxReadings: number;
  readonly overflow: OverflowPolicy;
  readonly file: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, number, number]>;
  private readonly select: Database.Statement<[number], Row>;
  private readonly deleteUpTo: Database.Statement<[number]>;
  private readonly dropOldest: Database.Statement<[number]>;
  private readonly appendTx: (readings: readonly Reading[]) => void;
  private readonly syncAppends: boolean;
  private count: number;
  private droppedCount = 0;
  private closed = false;

  constructor(opts: SqliteOutboxOptions) {
    ({ maxReadings: this.maxReadings, overflow: this.overflow } = resolveOutboxOptions(opts));
    this.file = opts.file;
    try {
      mkdirSync(dirname(opts.file), { recursive: true });
      this.db = new Database(opts.file);
    } catch (err) {
      throw new Error(
        `cannot open the outbox file ${opts.file}: ${(err as Error).message}. ` +
          `Check that bufferDir exists or can be created and is writable.`,
        { cause: err },
      );
    }
    this.db.pragma('journal_mode = WAL');
    this.syncAppends = opts.synchronous !== 'normal';
    this.db.pragma(`synchronous = ${this.syncAppends ? 'FULL' : 'NORMAL'}`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS readings (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      metric TEXT NOT NULL,
      value REAL NOT NULL,
      ts INTEGER NOT NULL
    )`);
    this.db.exec('CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)');
    const saveDropped = this.db.prepare(
      "INSERT INTO counters (name, value) VALUES ('dropped', ?) ON CONFLICT " +
        '(name) DO UPDATE SET value = excluded.value',
    );
    this.droppedCount =
      (this.db.prepare("SELECT value FROM counters WHERE name = 'dropped'").get() as { value: number } | undefined)
        ?.value ?? 0;
    this.insert = this.db.prepare('INSERT INTO readings (metric, value, ts) VALUES (?, ?, ?)');
    this.select = this.db.prepare<[number], Row>('SELECT seq, metric, value, ts FROM readings ORDER BY seq LIMIT ?');
    this.deleteUpTo = this.db.prepare('DELETE FROM readings WHERE seq <= ?');
    this.dropOldest = this.db.prepare(
      'DELETE FROM readings WHERE seq IN (SELECT seq FROM readings ORDER BY seq LIMIT ?)',
    );
    this.count = (this.db.prepare('SELECT COUNT(*) AS n FROM readings').get() as { n: number }).n;
    this.appendTx = this.db.transaction((readings: readonly Reading[]) => {
      for (const r of readings) this.insert.run(r.metric, r.value, r.ts);
      this.count += readings.length;
      const excess = this.count - this.maxReadings;
      if (excess > 0) {
        const removed = this.dropOldest.run(excess).changes;
        this.count -= removed;
        this.droppedCount += removed;
        saveDropped.run(this.droppedCount);
      }
    });
  }

  get dropped(): number {
    return this.droppedCount;
  }

  append(readings: readonly Reading[]): void {
    this.check('append');
    if (readings.length === 0) return;
    const before = { count: this.count, dropped: this.droppedCount };
    try {
      this.appendTx(readings);
    } catch (err) {
      // The transaction rolled back: restore the counters it had moved.
      this.count = before.count;
      this.droppedCount = before.dropped;
      throw err;
    }
  }

  peek(max: number): OutboxBatch {
    this.check('peek');
    const n = Math.max(0, Math.floor(max));
    if (n === 0 || this.count === 0) return EMPTY_BATCH;
    const rows = this.select.all(n);
    if (rows.length === 0) return EMPTY_BATCH;
    return {
      readings: rows.map((r) => ({ metric: r.metric, value: r.value, ts: r.ts })),
      lastSeq: rows[rows.length - 1]!.seq,
    };
  }

  ack(batch: OutboxBatch): number {
    this.check('ack');
    if (batch.lastSeq <= 0) return 0;
    // The delete is not synced to disk (synchronous=NORMAL for it; WAL keeps it crash-safe): if a
    // power cut loses it, the batch is only sent again, which at-least-once delivery allows and
    // the server deduplicates. The next append's FULL commit syncs it along. Half the fsyncs,
    // ~0.3 % of a core less at 100 readings/s (README, Footprint).
    if (this.syncAppends) this.db.pragma('synchronous = NORMAL');
    let removed: number;
    try {
      removed = this.deleteUpTo.run(batch.lastSeq).changes;
    } finally {
      if (this.syncAppends) this.db.pragma('synchronous = FULL');
    }
    this.count -= removed;
    return removed;
  }

  depth(): number {
    return this.count;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private check(what: string): void {
    if (this.closed) throw new OutboxClosedError(what);
  }
}
