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

/**
 * The server's own trail notes, by key: an entry written by the server carries `says` (the key and
 * the note's parts) besides its English `note`, so a room in another language can say it in words
 * (opsroom-ui/src/i18n/trail-text.ts). Entries written before `says` existed have only the note.
 */
export const TRAIL_NOTE_KEYS = [
  'raised',
  'groupRaised',
  'silence',
  'reopened',
  'refired',
  'refiredSilence',
  'reclassified',
  'priority',
  'groupPriority',
  'escalated',
  'escalatedGroup',
  'escalatedRoot',
  'escalatedUp',
  'shelved',
  'shelfExpired',
  'assigned',
  'unassigned',
  'grouped',
  'groupAdded',
  'resolvedWithGroup',
  'groupResolved',
  'maintenance',
  'maintenanceEnded',
  'directiveReceived',
] as const;
export type TrailNoteKey = (typeof TRAIL_NOTE_KEYS)[number];
