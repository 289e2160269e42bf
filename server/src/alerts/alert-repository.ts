import type { Alert } from '@opsroom/models';

/** Where alerts, their trails and deadlines live, so they survive a restart. */
export interface AlertRepository {
  /** Every alert not yet resolved (loaded at start-up). */
  loadOpen(): Alert[];
  /** Inserts or replaces, durably, before returning. */
  save(alert: Alert): void;
  get(id: string): Alert | undefined;
  /** Newest first. */
  list(filter?: { since?: number; limit?: number }): Alert[];
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
  get(id: string): Alert | undefined {
    const a = this.alerts.get(id);
    return a && structuredClone(a);
  }
  list(filter: { since?: number; limit?: number } = {}): Alert[] {
    return [...this.alerts.values()]
      .filter((a) => a.raisedAt >= (filter.since ?? 0))
      .sort((a, b) => b.raisedAt - a.raisedAt)
      .slice(0, filter.limit ?? 1000)
      .map((a) => structuredClone(a));
  }
  close(): void {}
}
