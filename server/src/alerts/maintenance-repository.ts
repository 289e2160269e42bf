import type Database from 'better-sqlite3';
import type { MaintenanceWindow } from '@opsroom/models';

/** Where maintenance windows live, so they survive a restart (interface, in-memory and SQLite). */
export interface MaintenanceRepository {
  /** Windows that end at or after `since` (ms), oldest start first. */
  loadSince(since: number): MaintenanceWindow[];
  /** Inserts or replaces, durably, before returning. */
  save(w: MaintenanceWindow): void;
}

export class MemoryMaintenanceRepository implements MaintenanceRepository {
  private readonly rows = new Map<string, MaintenanceWindow>();
  loadSince(since: number): MaintenanceWindow[] {
    return [...this.rows.values()]
      .filter((w) => effectiveEnd(w) >= since)
      .sort((a, b) => a.start - b.start)
      .map((w) => structuredClone(w));
  }
  save(w: MaintenanceWindow): void {
    this.rows.set(w.id, structuredClone(w));
  }
}

/** Windows as JSON rows (table `maintenance_windows`) in the state database (state/state-db.ts owns the schema). */
export class SqliteMaintenanceRepository implements MaintenanceRepository {
  private readonly upsert: Database.Statement;
  private readonly since: Database.Statement;
  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      'INSERT INTO maintenance_windows (id, start_ms, end_ms, doc) VALUES (?, ' +
        '?, ?, ?) ON CONFLICT(id) DO UPDATE SET end_ms = excluded.end_ms, doc = excluded.doc',
    );
    this.since = db.prepare('SELECT doc FROM maintenance_windows WHERE end_ms >= ? ORDER BY start_ms');
  }
  loadSince(since: number): MaintenanceWindow[] {
    return (this.since.all(since) as Array<{ doc: string }>).map((r) => JSON.parse(r.doc) as MaintenanceWindow);
  }
  save(w: MaintenanceWindow): void {
    this.upsert.run(w.id, w.start, effectiveEnd(w), JSON.stringify(w));
  }
}

/** When a window stops covering: its end, or when it was cancelled if earlier. */
export function effectiveEnd(w: MaintenanceWindow): number {
  return w.cancelledAt !== undefined ? Math.min(w.end, w.cancelledAt) : w.end;
}
