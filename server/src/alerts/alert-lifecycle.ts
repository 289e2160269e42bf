import type { Alert, AlertState } from '@opsroom/models';

/**
 * The alert state machine: which action is allowed in which state.
 *
 * | from \ action | acknowledge  | resolve  | escalate (deadline ran out) | comment / directive |
 * |---------------|--------------|----------|-----------------------------|---------------------|
 * | raised        | acknowledged | resolved | escalated (owner = parent)  | same state          |
 * | acknowledged  | —            | resolved | escalated (owner = parent)  | same state          |
 * | escalated     | acknowledged | resolved | escalated (owner = parent)  | same state          |
 * | resolved      | —            | —        | —                           | comment only        |
 *
 * Acknowledging says "we are on it": it does not stop the clock, it restarts the owner's
 * correction window once (a fresh full window from the moment of acknowledgement). The window
 * is for correcting, not for noticing: an acknowledged alert that stays unresolved still travels
 * up when its window runs out — that is Beer's algedonic signal. At the root there is no one
 * further up: the deadline lapses and the alert stays, flagged as crisis.
 */
export type AlertAction = 'acknowledge' | 'resolve' | 'escalate' | 'comment' | 'directive';

const ALLOWED: Record<AlertState, readonly AlertAction[]> = {
  raised: ['acknowledge', 'resolve', 'escalate', 'comment', 'directive'],
  acknowledged: ['resolve', 'escalate', 'comment', 'directive'],
  escalated: ['acknowledge', 'resolve', 'escalate', 'comment', 'directive'],
  resolved: ['comment'],
};

export function canApply(state: AlertState, action: AlertAction): boolean {
  return ALLOWED[state].includes(action);
}

/** True when the alert is past its deadline and must move up. */
export function isOverdue(alert: Alert, now: number): boolean {
  return alert.state !== 'resolved' && alert.deadline !== null && alert.deadline <= now;
}
