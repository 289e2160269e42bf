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

import type { Priority } from '../vsm/model.js';

export type AlertAction = 'raised' | 'updated' | 'refired' | 'acknowledged' | 'escalated' | 'resolved' | 'commented' | 'grouped' | 'directive' | 'shelved' | 'unshelved' | 'assigned';

/** A shelved alert: hidden from the active list until `until`, its correction window paused. */
export interface AlertShelf {
  by: string;
  /** When it was shelved and when the shelf expires by itself (ms since epoch). */
  at: number;
  until: number;
  note?: string;
  /** What was left of the owner's correction window when it was shelved (ms); null when it had none. */
  remainingMs: number | null;
}

/** An alert held as chattering: it cleared and re-raised more than the model's `reraises` within `minutes`. */
export interface AlertChatter {
  /** Raises at this node and indicator within the rule's span, this one included. */
  raises: number;
  /** The first of them and the latest (ms since epoch). */
  firstAt: number;
  lastAt: number;
}

/** One line of an alert's audit trail. */
export interface AlertTrailEntry {
  /** ms since epoch */
  at: number;
  /** user name, or `system` for the server's own moves */
  actor: string;
  action: AlertAction;
  /** The node that held the alert before this entry. */
  fromNode: string;
  /** The node that holds it after (differs from fromNode only on escalation). */
  toNode: string;
  /** The alert's state before and after this entry (absent on entries written before they were recorded). */
  fromState?: AlertState;
  toState?: AlertState;
  note?: string;
}

export interface Alert {
  id: string;
  /** The node where the anomaly was seen. */
  node: string;
  /** The node that owns it now (moves up on escalation). */
  owner: string;
  /** Every node that has owned it, origin first. */
  path: string[];
  indicator: string;
  /** The series the anomaly was seen in: absent for the indicator's actuality, else one of Beer's indices. */
  series?: 'productivity' | 'latency' | 'performance';
  kind: ChangeKind;
  /** Posterior probability of `kind`, in [0,1]. */
  probability: number;
  /** Anomaly score in [0,1]. */
  score: number;
  state: AlertState;
  /**
   * low | medium | high | critical: the indicator's priority at the node, moved one step by how far
   * and how sure the change is (docs/alerts.md "Priority"). Absent on alerts saved before priorities: medium.
   */
  priority?: Priority;
  /** Present while shelved (docs/alerts.md "Shelving"). */
  shelved?: AlertShelf;
  /** Present while a maintenance window covers the alert's node and indicator: the window's id and end. */
  maintenance?: { window: string; until: number; reason: string };
  /** Present when the alert is held as chattering (docs/alerts.md "Chattering"). */
  chattering?: AlertChatter;
  /** The user working on it (`POST /api/alerts/:id/assign`): one whose scope covered the owner when assigned. */
  assignee?: string;
  /**
   * A new change (or a dropout) on the alert's series while it was still open: how many times, and
   * the last (ms). Each is a `refired` entry of the trail, and an `updated` event at once.
   */
  refired?: { count: number; lastAt: number };
  /** Reminders sent to the owner's webhook while it stayed unacknowledged: how many, and the last (ms). */
  reminders?: { count: number; lastAt: number };
  /** For a grouping alert: the child alert that came first (a flood shows its first cause first). */
  firstChild?: { alert: string; node: string; at: number };
  /** The observed value that raised or last updated it, and the forecast band it broke. */
  value: number;
  forecast?: { mean: number; lower: number; upper: number };
  /** How far outside: (value − forecast mean) in the series' noise standard deviations. */
  sigmas?: number;
  /** Time of the reading where the change was seen (ms since epoch). */
  since?: number;
  /** The alert in plain words: what changed, by how much against the forecast, how sure, since when. */
  summary?: string;
  raisedAt: number;
  updatedAt: number;
  /** When the current owner's correction window runs out (ms since epoch); null once resolved. */
  deadline: number | null;
  /**
   * For a grouping alert (kind `group`, raised at a parent when several of its children alert
   * within a short span): the ids of the child alerts it groups. For a child: the group it belongs to.
   */
  groups?: string[];
  groupedBy?: string;
  /** The audit trail, at most 1,000 entries (the server's trail policy, docs/alerts.md). */
  trail: AlertTrailEntry[];
  /** How many old comments and evidence notes the trail policy dropped to stay bounded; absent when none. */
  trailDropped?: number;
}
