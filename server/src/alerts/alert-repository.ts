import type { Alert } from '@opsroom/models';

export interface RepoListFilter {
  since?: number;
  until?: number;
  /** Default 1000. */
  limit?: number;
}

/** Where alerts, their trails and deadlines live, so they survive a restart. */
export interface AlertRepository {
  /** Every alert not yet resolved (loaded at start-up). */
  loadOpen(): Alert[];
  /** Inserts or replaces, durably, before returning. */
  save(alert: Alert): void;
  /** Saves several in one transaction: all of them or none survive a crash. */
  saveAll(alerts: readonly Alert[]): void;
  get(id: string): Alert | undefined;
  /** Newest first, by raisedAt within [since, until] (ms since epoch, both inclusive). */
  list(filter?: RepoListFilter): Alert[];
  close(): void;
}

export class MemoryAlertRepository implements AlertRepository {
  private readonly alerts = new Map<string, Alert>();
  loadOpen(): Alert[] {
    return [...this.alerts.values()].filter((a) => a.state !== 'resolved').map((a) => structuredClone(a));
  }
  save(alert: Alert): void {
    this.alerts.set(alert.id, structuredClone(alert));
  }
  saveAll(alerts: readonly Alert[]): void {
    for (const a of alerts) this.save(a);
  }
  get(id: string): Alert | undefined {
    const a = this.alerts.get(id);
    return a && structuredClone(a);
  }
  list(filter: RepoListFilter = {}): Alert[] {
    return [...this.alerts.values()]
      .filter((a) => a.raisedAt >= (filter.since ?? 0) && a.raisedAt <= (filter.until ?? Number.MAX_SAFE_INTEGER))
      .sort((a, b) => b.raisedAt - a.raisedAt)
      .slice(0, filter.limit ?? 1000)
      .map((a) => structuredClone(a));
  }
  close(): void {}
}
