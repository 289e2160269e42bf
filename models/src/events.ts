import type { Alert } from './alerts/alert.js';

/** The socket.io room of one node: a client joins the rooms of the nodes in its scope only. */
export const nodeRoom = (path: string) => `node:${path}`;

/** The live value of one indicator at one node: its type is derived from the API's schema (http/live.ts). */
export type { IndicatorUpdate } from './http/live.js';
import type { IndicatorUpdate } from './http/live.js';

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
