import type { Alert } from '@opsroom/models';

export type AlertEvent = 'raised' | 'updated' | 'escalated' | 'resolved';

/**
 * The alerts one operation changes, edited as copies. Nothing the rest of the server sees changes
 * while an operation builds its change set: the alert service saves the copies, and only when the
 * save succeeded puts them in place of the originals, runs the `onSaved` steps and announces the
 * events. When the save fails the change set is dropped and every alert is as it was.
 *
 * @example
 * const cs = new AlertChangeSet();
 * const a = cs.edit(open.get(id)!); // a copy; open.get(id) is untouched
 * acknowledgeAlert(a, change, windowMs);
 * cs.mark(a, 'updated');
 * // save cs.changes(), then swap the copies in
 */
export class AlertChangeSet {
  private readonly drafts = new Map<string, Alert>();
  private readonly events = new Map<string, AlertEvent>();
  private readonly saved: Array<() => void> = [];

  /** The alert as this change set sees it: its copy once edited, else `a` itself (read only). */
  view(a: Alert): Alert {
    return this.drafts.get(a.id) ?? a;
  }

  /** The copy of `a` to change; the same copy for every call with the same alert id. */
  edit(a: Alert): Alert {
    let d = this.drafts.get(a.id);
    if (!d) {
      d = structuredClone(a);
      this.drafts.set(a.id, d);
    }
    return d;
  }

  /** A new alert this change set raises (no copy: nobody else holds it yet). */
  add(a: Alert, event: AlertEvent = 'raised'): Alert {
    this.drafts.set(a.id, a);
    this.mark(a, event);
    return a;
  }

  /**
   * Saves and announces `a` (a copy from edit() or add()) with `event`. An alert marked twice
   * (e.g. raised, then grouped) is saved once and announced with its strongest event: any event
   * but `updated` stays.
   */
  mark(a: Alert, event: AlertEvent): void {
    if (this.drafts.get(a.id) !== a) throw new Error(`alert ${a.id} was changed without edit(): it would not be saved`);
    const prev = this.events.get(a.id);
    this.events.set(a.id, prev && prev !== 'updated' ? prev : event);
  }

  /** Runs once the change set is saved (counters, log lines, bookkeeping), in the order added. */
  onSaved(fn: () => void): void {
    this.saved.push(fn);
  }

  /** The marked alerts with their events, in the order first marked. */
  changes(): Array<[Alert, AlertEvent]> {
    return [...this.events].map(([id, e]) => [this.drafts.get(id)!, e]);
  }

  /** Copies that are new or edited and not resolved: what the open set holds once saved. */
  openDrafts(): Alert[] {
    return [...this.drafts.values()].filter((a) => a.state !== 'resolved');
  }

  get size(): number {
    return this.events.size;
  }

  /** Called by the service once the save succeeded. */
  runSaved(): void {
    for (const fn of this.saved) fn();
  }
}
