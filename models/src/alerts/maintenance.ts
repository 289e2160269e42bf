/**
 * An out-of-service (maintenance) window on a node's subtree, optionally only some indicators
 * (ISA-18.2 "out of service"): readings are still stored and rolled up and the detectors keep
 * learning, but no alert is raised there between `start` and `end`, and alerts already open there
 * are marked. docs/alerts.md "Maintenance windows".
 */
// The window's type is derived from the schema the HTTP API publishes (../http/requests.ts).
export type { MaintenanceWindow } from '../http/requests.js';
