/**
 * The kind of change behind an alert: Harrison & Stevens' states less `steady` (`step`, `slope`,
 * `transient`); `change` while the evidence does not yet tell them apart (an alert opens as
 * `change` and takes its kind within a few readings; the trail records it); `flatline` when a
 * varying series stops varying; `dropout` when a device stops sending; `group` for a parent's
 * grouping alert.
 */
export const CHANGE_KINDS = ['change', 'step', 'slope', 'transient', 'flatline', 'dropout', 'group'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const ALERT_STATES = ['raised', 'acknowledged', 'escalated', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** What an entry of an alert's trail records. */
export const ALERT_ACTIONS = [
  'raised',
  'updated',
  'refired',
  'acknowledged',
  'escalated',
  'resolved',
  'commented',
  'grouped',
  'directive',
  'shelved',
  'unshelved',
  'assigned',
] as const;
