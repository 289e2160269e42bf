import { ancestors, DEFAULT_PRIORITY, PRIORITIES, type Alert, type Model, type Priority } from '@opsroom/models';

/**
 * Alert priority (ISA-18.2 / EEMUA 191: every alarm has a priority). The rule, also in
 * docs/alerts.md "Priority":
 *
 * 1. **Where it starts**: the indicator's priority at the node — the nearest of the node and its
 *    ancestors that sets `priorities: { <indicator>: … }` in the model, else the indicator's own
 *    `priority:`, else `medium`.
 * 2. **How far and how sure**: one step up (at most `critical`) when the change is at least
 *    {@link FAR_SIGMAS} noise standard deviations from the forecast and at least
 *    {@link SURE_PROBABILITY} sure; one step down (at least `low`) when it is within
 *    {@link NEAR_SIGMAS} and under {@link UNSURE_PROBABILITY} sure. Otherwise it stays.
 *    An alert without a distance (a dropout, a flatline) stays where it starts.
 * 3. **A grouping alert** takes the highest priority of the children it groups.
 *
 * Example: `output` is `high` at valle/norte; a 12σ step 95 % sure at valle/norte/lana/taller-1 is
 * `critical`; a 4σ change 55 % sure there is `medium`; a 7σ step 80 % sure stays `high`.
 */
export const FAR_SIGMAS = 10;
export const SURE_PROBABILITY = 0.9;
export const NEAR_SIGMAS = 5;
export const UNSURE_PROBABILITY = 0.6;

/** 0 (low) … 3 (critical); an alert saved before priorities counts as medium. */
export function priorityRank(p: Priority | undefined): number {
  return PRIORITIES.indexOf(p ?? DEFAULT_PRIORITY);
}

/** Rule 1: the indicator's priority at `node` (nearest override, else the indicator's, else medium). */
export function basePriority(model: Model, node: string, indicator: string): Priority {
  for (const p of [node, ...ancestors(node)]) {
    const own = model.nodes.get(p)?.priorities?.[indicator];
    if (own) return own;
  }
  return model.indicators.find((i) => i.id === indicator)?.priority ?? DEFAULT_PRIORITY;
}

/** Rule 2: the base moved one step by how far (`sigmas`) and how sure (`probability`) the change is. */
export function alertPriority(base: Priority, evidence: { sigmas?: number; probability: number }): Priority {
  const far = evidence.sigmas === undefined ? undefined : Math.abs(evidence.sigmas);
  let rank = priorityRank(base);
  if (far !== undefined && far >= FAR_SIGMAS && evidence.probability >= SURE_PROBABILITY) rank++;
  else if (far !== undefined && far < NEAR_SIGMAS && evidence.probability < UNSURE_PROBABILITY) rank--;
  return PRIORITIES[Math.min(PRIORITIES.length - 1, Math.max(0, rank))]!;
}

/** Rule 3: the highest of several priorities. */
export function highestPriority(ps: Iterable<Priority | undefined>): Priority {
  let rank = 0;
  for (const p of ps) rank = Math.max(rank, priorityRank(p));
  return PRIORITIES[rank]!;
}

/**
 * The order of every alert list, the algedonic screen and the inbox: priority (critical first),
 * then the nearest deadline (none last), then the newest.
 */
export function byPriorityThenDeadline(a: Alert, b: Alert): number {
  return (
    priorityRank(b.priority) - priorityRank(a.priority) ||
    (a.deadline ?? Number.MAX_SAFE_INTEGER) - (b.deadline ?? Number.MAX_SAFE_INTEGER) ||
    b.raisedAt - a.raisedAt
  );
}
