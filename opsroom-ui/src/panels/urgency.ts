import { PRIORITIES, type Alert, type AlertState } from '@opsroom/models';

/** Rank of each state in the inbox: those waiting for someone to act come first. */
const STATE_RANK: Record<AlertState, number> = { escalated: 0, raised: 1, acknowledged: 2, resolved: 3 };

/** critical 3 … low 0; an alert from a server without priorities counts as medium. */
const priorityRank = (a: Alert) => PRIORITIES.indexOf(a.priority ?? 'medium');

/**
 * Orders alerts by urgency, most urgent first (the server's list order, docs/alerts.md "Priority"):
 * 1. open before resolved, and active before shelved (a shelved alert is off the active list);
 * 2. priority: critical, high, medium, low;
 * 3. state: escalated, then raised (both wait for action), then acknowledged;
 * 4. the soonest deadline (an alert without one after those with one);
 * 5. the higher anomaly score;
 * 6. the most recently raised; then id, so the order is total and stable.
 *
 * @example
 * byUrgency(
 *   { state: 'raised', deadline: 5_000, score: 0.9, ... },
 *   { state: 'escalated', deadline: 90_000, score: 0.4, ... },
 * ) > 0 // the escalated alert comes first although its deadline is later
 */
export function byUrgency(a: Alert, b: Alert): number {
  return (
    Number(a.state === 'resolved') - Number(b.state === 'resolved') ||
    Number(a.shelved !== undefined) - Number(b.shelved !== undefined) ||
    priorityRank(b) - priorityRank(a) ||
    STATE_RANK[a.state] - STATE_RANK[b.state] ||
    deadlineOrder(a.deadline, b.deadline) ||
    b.score - a.score ||
    b.raisedAt - a.raisedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

function deadlineOrder(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

/** A sorted copy, most urgent first (see {@link byUrgency}). */
export function sortByUrgency(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort(byUrgency);
}
