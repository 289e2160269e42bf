import type Database from 'better-sqlite3';
import type { Alert } from '@opsroom/models';
import type { AlertRepository, RepoListFilter } from './alert-repository.js';

/** Alerts as JSON rows (table `alert_docs`) in the state database (state/state-db.ts owns the schema). */
export class SqliteAlertRepository implements AlertRepository {
  private readonly upsert: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly open: Database.Statement;
  private readonly recent: Database.Statement;
  private readonly saveMany: (alerts: readonly Alert[]) => void;

  /**
   * `alsoInTransaction`: called with the alerts of every saveAll inside its transaction, so what it writes to the same
   * database (the federation's outbox: federation/alert-handoffs.ts) is durable exactly when the alerts are.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly alsoInTransaction?: (alerts: readonly Alert[]) => void,
  ) {
    this.upsert = db.prepare(
      'INSERT INTO alert_docs (id, raised_at, resolved, doc) VALUES (?, ?, ?, ' +
        '?) ON CONFLICT(id) DO UPDATE SET resolved = excluded.resolved, doc = excluded.doc',
    );
    this.byId = db.prepare('SELECT doc FROM alert_docs WHERE id = ?');
    this.open = db.prepare('SELECT doc FROM alert_docs WHERE resolved = 0 ORDER BY raised_at');
    // IMMEDIATE: takes the write lock before anything else, so another connection to the file
    // (a backup, the sqlite3 shell) makes it wait (busy_timeout), never fail with SQLITE_BUSY.
    this.saveMany = db.transaction((alerts: readonly Alert[]) => {
      for (const a of alerts) this.save(a);
      this.alsoInTransaction?.(alerts);
    }).immediate;
    this.recent = db.prepare(
      'SELECT doc FROM alert_docs WHERE raised_at >= ? AND raised_at <= ? ORDER BY raised_at DESC LIMIT ?',
    );
  }
  loadOpen(): Alert[] {
    return (this.open.all() as Array<{ doc: string }>).map((r) => JSON.parse(r.doc) as Alert);
  }
  save(alert: Alert): void {
    this.upsert.run(alert.id, alert.raisedAt, alert.state === 'resolved' ? 1 : 0, JSON.stringify(alert));
  }
  saveAll(alerts: readonly Alert[]): void {
    this.saveMany(alerts);
  }
  get(id: string): Alert | undefined {
    const row = this.byId.get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Alert) : undefined;
  }
  list(filter: RepoListFilter = {}): Alert[] {
    return (
      this.recent.all(filter.since ?? 0, filter.until ?? Number.MAX_SAFE_INTEGER, filter.limit ?? 1000) as Array<{
        doc: string;
      }>
    ).map((r) => JSON.parse(r.doc) as Alert);
  }
  close(): void {
    /* the state database is shared; start.ts closes it */
  }
}
