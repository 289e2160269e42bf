/**
 * An out-of-service (maintenance) window on a node's subtree, optionally only some indicators
 * (ISA-18.2 "out of service"): readings are still stored and rolled up and the detectors keep
 * learning, but no alert is raised there between `start` and `end`, and alerts already open there
 * are marked. docs/alerts.md "Maintenance windows".
 */
export interface MaintenanceWindow {
  id: string;
  /** The window covers this node and its subtree. */
  node: string;
  /** Only these indicator ids; absent: every indicator. */
  indicators?: string[];
  /** ms since epoch; the window is half-open, [start, end). */
  start: number;
  end: number;
  reason: string;
  createdBy: string;
  createdAt: number;
  /** Set when someone ended it early (DELETE /api/maintenance): the window ended then. */
  cancelledBy?: string;
  cancelledAt?: number;
}
