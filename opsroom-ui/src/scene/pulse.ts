import type { NodeState } from '@opsroom/models';

/** Pulse rates, Hz. A node in alert beats faster as its deadline nears; a crisis beats fastest. */
export const PULSE = Object.freeze({ alertSlowest: 0.5, alertFastest: 3, crisis: 4 });

/**
 * The pulse rate of a node (beats per second): 0 when normal; for an alert, from
 * `alertSlowest` with the whole correction window left, linearly up to `alertFastest` at the
 * deadline; `crisis` rate once in crisis or overdue.
 *
 * @example pulseRate('alert', 60_000, 0, 120_000)  // 1.75 (half the window left)
 * @example pulseRate('normal', null, 0, 120_000)   // 0
 */
export function pulseRate(state: NodeState, deadline: number | null, now: number, windowMs: number): number {
  if (state === 'normal') return 0;
  if (state === 'crisis') return PULSE.crisis;
  if (deadline === null || windowMs <= 0) return PULSE.alertSlowest;
  const left = deadline - now;
  if (left <= 0) return PULSE.crisis;
  const urgency = 1 - Math.min(1, left / windowMs);
  return PULSE.alertSlowest + (PULSE.alertFastest - PULSE.alertSlowest) * urgency;
}
