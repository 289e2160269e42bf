import type { Alert } from './alerts/alert.js';
import type { BeerIndices } from './vsm/indices.js';

/** The socket.io room of one node: a client joins the rooms of the nodes in its scope only. */
export const nodeRoom = (path: string) => `node:${path}`;

/** The live value of one indicator at one node (actuality, its levels and indices). */
export interface IndicatorUpdate extends BeerIndices {
  node: string;
  indicator: string;
  /** ms since epoch of the newest reading behind this value */
  ts: number;
  /** actuality; null when nothing was heard in the period */
  value: number | null;
  capability?: number;
  potentiality?: number;
  /**
   * This node's own value is not fresh (`value` is null): no device series of its own and no
   * child is fresh. Something missing further down with others still fresh does not make it
   * stale: that is `missingDescendants` (the UI marks a node stale for either).
   */
  stale: boolean;
  /** For parents: how many direct children have no fresh value (stale, or never heard). */
  missingChildren: number;
  /**
   * Device series (one device's readings of this indicator) at this node or any depth below it
   * that were heard and then stopped sending: quiet for longer than their learnt interval plus a
   * margin, at most the roll-up period (server/src/vsm/live-model.ts `staleAfterMs`). 0 when
   * everything below is fresh; back to 0 when the device speaks again.
   */
  missingDescendants: number;
  /** Latest anomaly score in [0,1]. */
  score?: number;
  /** The detector of this series has not yet seen enough of it to be trusted: it raises no alert yet. */
  learning?: boolean;
  /** Forecast band of the detector for the next value. */
  forecast?: { mean: number; lower: number; upper: number };
}

export type NodeState = 'normal' | 'alert' | 'crisis';

export interface NodeStatus {
  node: string;
  state: NodeState;
  /** Open alerts owned at this node. */
  openAlerts: number;
  /** Earliest deadline among them (ms since epoch), for the pulsing rate. */
  nextDeadline: number | null;
}

export interface HelloInfo {
  user: string;
  role: string;
  scope: string;
  /** Node paths whose rooms the socket joined. */
  rooms: number;
}

/** Server -> client events. Streams are batched: one emit carries an array. */
export interface ServerToClientEvents {
  hello: (info: HelloInfo) => void;
  'indicator:batch': (updates: IndicatorUpdate[]) => void;
  'node:status': (statuses: NodeStatus[]) => void;
  'alert:raised': (alert: Alert) => void;
  'alert:updated': (alert: Alert) => void;
  'alert:escalated': (alert: Alert) => void;
  'alert:resolved': (alert: Alert) => void;
}

/** Client -> server events. */
export interface ClientToServerEvents {
  /** Ask for a snapshot of the latest values of the nodes in scope; answered through the ack. */
  snapshot: (ack: (updates: IndicatorUpdate[]) => void) => void;
}
