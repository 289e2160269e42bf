// The alert's kinds and states (alert-kinds.ts), and the alert itself: its type is derived from the
// one schema the HTTP API publishes (../http/alert-schema.ts).
export { ALERT_ACTIONS, ALERT_STATES, CHANGE_KINDS, type AlertState, type ChangeKind } from './alert-kinds.js';
export type { Alert, AlertAction, AlertChatter, AlertShelf, AlertTrailEntry } from '../http/alert-schema.js';
