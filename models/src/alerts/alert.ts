// The alert's kinds and states (alert-kinds.ts), and the alert itself: its type is derived from the
// one schema the HTTP API publishes (../http/alert-schema.ts).
export {
  ALERT_ACTIONS,
  ALERT_STATES,
  CHANGE_KINDS,
  TRAIL_NOTE_KEYS,
  type AlertState,
  type ChangeKind,
  type TrailNoteKey,
} from './alert-kinds.js';
export type {
  Alert,
  AlertAction,
  AlertChatter,
  AlertShelf,
  AlertTrailEntry,
  AlertTrailSays,
} from '../http/alert-schema.js';
