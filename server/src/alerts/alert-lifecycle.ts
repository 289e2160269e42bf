import {
  inScope,
  type Alert,
  type AlertAction as TrailAction,
  type AlertState,
  type AlertTrailEntry,
  type AlertTrailSays,
  type TrailNoteKey,
} from '@opsroom/models';
import { OpsError } from '../errors.js';

/**
 * The alert state machine — the one module that changes an alert's state, owner, deadline and
 * trail. AlertService finds, persists and announces alerts; every change goes through here.
 * docs/alerts.md has the same table with the reasons behind it.
 *
 * | from \ action | acknowledge      | resolve  | escalate (window ran out)   | comment / directive / group |
 * |---------------|------------------|----------|-----------------------------|-----------------------------|
 * | raised        | acknowledged     | resolved | escalated (owner = parent)  | same state                  |
 * | acknowledged  | — (409)          | resolved | escalated (owner = parent)  | same state                  |
 * | escalated     | acknowledged     | resolved | escalated (owner = parent)  | same state                  |
 * | resolved      | — (409)          | — (409)  | —                           | comment only                |
 *
 * Who may act (scopes are node paths; a user's scope covers that node and its subtree):
 * - see, comment: any node the alert passed through (`path`) lies in the caller's scope;
 * - resolve: the same — any level the alert passed through, or above, resolves it everywhere;
 * - acknowledge: the current owner lies in the caller's scope (the owner's level or above);
 * - directive: planners and admins who see the alert; councils only when they hold the owner;
 * - escalate: only the server, when the deadline is reached.
 * An alert the caller cannot see answers 404 (its existence is not revealed); one it sees but may
 * not act on answers 403; an action the state does not allow answers 409.
 *
 * Acknowledging says "we are on it": it does not stop the clock, it restarts the owner's correction
 * window once (a fresh full window from the moment of acknowledgement). The window is for
 * correcting, not for noticing: an acknowledged alert that stays unresolved still travels up when
 * its window runs out — that is Beer's algedonic signal. At the root there is no one further up:
 * the deadline lapses and the alert stays, flagged as crisis.
 *
 * The window is half-open, [start, deadline): at `now === deadline` it has run out. The service
 * settles overdue deadlines before every action, so an acknowledgement arriving at the very edge
 * meets an alert that already moved up, whichever of the timer and the request ran first.
 */
export type AlertAction =
  | 'acknowledge'
  | 'resolve'
  | 'escalate'
  | 'comment'
  | 'directive'
  | 'group'
  | 'shelve'
  | 'unshelve'
  | 'reopen'
  | 'assign';

/**
 * Shelving (docs/alerts.md "Shelving") is not a state: an open alert in any state may be shelved
 * once (409 while it already is) and unshelved while it is; its state stays, its window pauses.
 */
const TRANSITIONS: Record<AlertState, Partial<Record<AlertAction, AlertState>>> = {
  raised: {
    acknowledge: 'acknowledged',
    resolve: 'resolved',
    escalate: 'escalated',
    comment: 'raised',
    directive: 'raised',
    group: 'raised',
    shelve: 'raised',
    unshelve: 'raised',
    assign: 'raised',
  },
  acknowledged: {
    resolve: 'resolved',
    escalate: 'escalated',
    comment: 'acknowledged',
    directive: 'acknowledged',
    group: 'acknowledged',
    shelve: 'acknowledged',
    unshelve: 'acknowledged',
    assign: 'acknowledged',
  },
  escalated: {
    acknowledge: 'acknowledged',
    resolve: 'resolved',
    escalate: 'escalated',
    comment: 'escalated',
    directive: 'escalated',
    group: 'escalated',
    shelve: 'escalated',
    unshelve: 'escalated',
    assign: 'escalated',
  },
  // reopen: only the server, when a chattering alert re-raises (docs/alerts.md "Chattering").
  resolved: { comment: 'resolved', reopen: 'raised' },
};

/** The state `action` leads to from `state`, or undefined when the action is not allowed there. */
export function nextState(state: AlertState, action: AlertAction): AlertState | undefined {
  return TRANSITIONS[state][action];
}

export function canApply(state: AlertState, action: AlertAction): boolean {
  return nextState(state, action) !== undefined;
}

/** True when the alert is past its deadline and must move up (the window is [start, deadline)). */
export function isOverdue(alert: Alert, now: number): boolean {
  return alert.state !== 'resolved' && alert.deadline !== null && alert.deadline <= now;
}

export interface Actor {
  name: string;
  role: string;
  scope: string;
}

/** An alert is visible to a user when any node it passed through is inside the user's scope. */
export function visibleTo(a: Alert, actor: { scope: string }): boolean {
  return a.path.some((p) => inScope(actor.scope, p));
}

/**
 * Throws the right OpsError when `actor` may not do `action` to `a` now: 404 when the alert is
 * outside the caller's scope, 409 when its state does not allow it, 403 when the caller sees it but
 * this action belongs to someone else.
 */
export function assertMay(a: Alert, actor: Actor, action: Exclude<AlertAction, 'escalate' | 'group' | 'reopen'>): void {
  if (!visibleTo(a, actor)) throw new OpsError('OPS_ERR_NOT_FOUND', `alert ${a.id}`);
  if (!canApply(a.state, action))
    throw new OpsError('OPS_ERR_CONFLICT', `cannot ${action} an alert that is ${a.state}`);
  if (actor.role !== 'council' && actor.role !== 'planner' && actor.role !== 'admin') {
    throw new OpsError('OPS_ERR_FORBIDDEN_ACTION', `role ${actor.role} may not act on alerts`);
  }
  if (action === 'shelve' && a.shelved)
    throw new OpsError(
      'OPS_ERR_CONFLICT',
      `the alert is already shelved until ${new Date(a.shelved.until).toISOString()}; unshelve it first`,
    );
  if (action === 'unshelve' && !a.shelved) throw new OpsError('OPS_ERR_CONFLICT', 'the alert is not shelved');
  if ((action === 'shelve' || action === 'unshelve' || action === 'assign') && !inScope(actor.scope, a.owner)) {
    throw new OpsError(
      'OPS_ERR_FORBIDDEN_ACTION',
      `the alert is owned by ${a.owner} now; ` +
        `${action === 'assign' ? 'assigning' : 'shelving'} belongs to that ` +
        `level or above`,
    );
  }
  if (action === 'acknowledge' && !inScope(actor.scope, a.owner)) {
    throw new OpsError(
      'OPS_ERR_FORBIDDEN_ACTION',
      `the alert is owned by ${a.owner} now; acknowledging belongs to that ` +
        `level or above (you may still resolve or comment)`,
    );
  }
  if (action === 'directive' && actor.role === 'council' && !inScope(actor.scope, a.owner)) {
    throw new OpsError(
      'OPS_ERR_FORBIDDEN_ACTION',
      `only the owner level (${a.owner}) or a planner may send a directive`,
    );
  }
}

/** Who did it and when, for one trail entry. */
export interface Change {
  at: number;
  actor: string;
  note?: string;
  /** For the server's own notes: what the note says, by key and parts (AlertTrailSays in models). */
  says?: AlertTrailSays;
}

/**
 * What a server note says, its parts without the undefined ones.
 * @example says('escalated', { node: 'valle/norte' }) // { key: 'escalated', params: { node: 'valle/norte' } }
 */
export function says(key: TrailNoteKey, params: Record<string, string | number | undefined> = {}): AlertTrailSays {
  const defined: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') defined[k] = v;
  return { key, params: defined };
}

/**
 * Trail length policy (docs/alerts.md): a trail holds at most this many entries. When full, the
 * oldest droppable entry — a person's comment or a system evidence note (`updated`), never the
 * first entry — makes room, and `trailDropped` counts what went. State moves, directives and
 * devices' acknowledgements are never dropped (the directive ledger counts them); when nothing is
 * droppable, people's new comments and directives are refused (409) while the lifecycle's own
 * moves (acknowledge, escalate, group, resolve — bounded by the tree) and acknowledgements of
 * directives already sent (one per directive and device) are still written.
 */
export const TRAIL_MAX_ENTRIES = 1000;

function droppable(e: AlertTrailEntry): boolean {
  return (
    e.action === 'updated' || e.action === 'refired' || (e.action === 'commented' && !e.actor.startsWith('device:'))
  );
}

/** Appends one entry under the length policy above. */
export function appendTrail(a: Alert, entry: AlertTrailEntry): void {
  if (a.trail.length >= TRAIL_MAX_ENTRIES) {
    const i = a.trail.findIndex((e, k) => k > 0 && droppable(e));
    if (i > 0) {
      a.trail.splice(i, 1);
      a.trailDropped = (a.trailDropped ?? 0) + 1;
    } else if (entry.action === 'directive' || (entry.action === 'commented' && !entry.actor.startsWith('device:'))) {
      // A person's note or directive waits; a device's acknowledgement is written (at most one per
      // directive and device), and so are the system's moves.
      throw new OpsError(
        'OPS_ERR_CONFLICT',
        `the alert's trail is full (${TRAIL_MAX_ENTRIES} entries of state moves, directives and acknowledgements)`,
      );
    }
  }
  a.trail.push(entry);
}

/** The trail entry of change `c` taking `a`, as it stands, to `toNode` in state `toState`. */
function trailEntry(a: Alert, action: TrailAction, c: Change, toNode: string, toState: AlertState): AlertTrailEntry {
  return {
    at: c.at,
    actor: c.actor,
    action,
    fromNode: a.owner,
    toNode,
    fromState: a.state,
    toState,
    ...(c.note !== undefined ? { note: c.note } : {}),
    ...(c.says ? { says: c.says } : {}),
  };
}

function move(a: Alert, action: AlertAction, trailAction: TrailAction, c: Change, toNode: string = a.owner): void {
  const to = nextState(a.state, action);
  if (to === undefined) throw new OpsError('OPS_ERR_CONFLICT', `cannot ${action} an alert that is ${a.state}`);
  appendTrail(a, trailEntry(a, trailAction, c, toNode, to));
  a.state = to;
  a.updatedAt = Math.max(a.updatedAt, c.at);
}

/** A new alert owned by the node where the anomaly was seen, with that node's window. */
export function raiseAlert(
  fields: Omit<Alert, 'owner' | 'path' | 'state' | 'updatedAt' | 'deadline' | 'trail'>,
  windowMs: number,
  note: string,
  said?: AlertTrailSays,
): Alert {
  const at = fields.raisedAt;
  return {
    ...fields,
    owner: fields.node,
    path: [fields.node],
    state: 'raised',
    updatedAt: at,
    deadline: at + windowMs,
    trail: [
      {
        at,
        actor: 'system',
        action: 'raised',
        fromNode: fields.node,
        toNode: fields.node,
        toState: 'raised',
        note,
        ...(said ? { says: said } : {}),
      },
    ],
  };
}

/** The owner says "we are on it": a fresh full window from now (once; see above). */
export function acknowledgeAlert(a: Alert, c: Change, windowMs: number): void {
  move(a, 'acknowledge', 'acknowledged', c);
  // While shelved the window is paused: the fresh window is what resumes when the shelf ends.
  if (a.shelved) a.shelved.remainingMs = windowMs;
  else a.deadline = c.at + windowMs;
}

/**
 * Shelved until `until`: hidden from the active list, its correction window paused — what was
 * left of it is kept and resumes when the shelf ends (unshelved by someone, or expired).
 */
export function shelveAlert(a: Alert, c: Change, until: number): void {
  move(a, 'shelve', 'shelved', {
    ...c,
    note: `until ${new Date(until).toISOString()}${c.note ? `: ${c.note}` : ''}`,
    says: says('shelved', { until, note: c.note }),
  });
  a.shelved = {
    by: c.actor,
    at: c.at,
    until,
    remainingMs: a.deadline === null ? null : Math.max(0, a.deadline - c.at),
    ...(c.note ? { note: c.note } : {}),
  };
  a.deadline = null;
}

/** Back on the active list; the paused window resumes from now with what was left of it. */
export function unshelveAlert(a: Alert, c: Change): void {
  const shelf = a.shelved;
  move(a, 'unshelve', 'unshelved', c);
  delete a.shelved;
  a.deadline = shelf && shelf.remainingMs !== null ? c.at + shelf.remainingMs : null;
}

/** True when a shelf has run out (the shelf is half-open like a window: at `until` it has ended). */
export function shelfExpired(a: Alert, now: number): boolean {
  return a.state !== 'resolved' && a.shelved !== undefined && a.shelved.until <= now;
}

/**
 * The window ran out: ownership moves one level up with that level's window. At the root
 * (`parent` undefined) the deadline lapses and the alert stays; at the top of a server with a parent server
 * (`upTo`, federation) it is handed up to that server, which opens its own window. `carriedByGroup`: the alert is
 * grouped and arrives where its group already is — it moves up but keeps no deadline of its own,
 * because its group carries it further.
 */
export function escalateAlert(
  a: Alert,
  at: number,
  parent: { path: string; windowMs: number } | undefined,
  carriedByGroup?: string,
  upTo?: string,
): void {
  if (!parent) {
    move(a, 'escalate', 'escalated', {
      at,
      actor: 'system',
      ...(upTo === undefined
        ? { note: 'correction window ran out at the root', says: says('escalatedRoot') }
        : {
            note: `correction window of ${a.owner} ran out; handed up to server ${upTo}`,
            says: says('escalatedUp', { node: a.owner, server: upTo }),
          }),
    });
    a.deadline = null;
    return;
  }
  const note = carriedByGroup
    ? `correction window of ${a.owner} ran out; group ${carriedByGroup} carries it further`
    : `correction window of ${a.owner} ran out`;
  const said = carriedByGroup
    ? says('escalatedGroup', { node: a.owner, group: carriedByGroup })
    : says('escalated', { node: a.owner });
  move(a, 'escalate', 'escalated', { at, actor: 'system', note, says: said }, parent.path);
  a.owner = parent.path;
  if (!a.path.includes(parent.path)) a.path.push(parent.path);
  a.deadline = carriedByGroup ? null : at + parent.windowMs;
}

/**
 * A chattering alert re-raised: the same alert opens again at its origin node with that node's
 * window, instead of a new one (its trail says `raised` again, from `resolved`).
 */
export function reopenAlert(a: Alert, at: number, windowMs: number, note: string, said?: AlertTrailSays): void {
  move(a, 'reopen', 'raised', { at, actor: 'system', note, ...(said ? { says: said } : {}) }, a.node);
  a.owner = a.node;
  if (!a.path.includes(a.node)) a.path.unshift(a.node);
  a.deadline = at + windowMs;
}

/** Who is working on it (undefined: nobody); the trail names both. */
export function assignAlert(a: Alert, c: Change, user: string | undefined): void {
  const was = a.assignee;
  const what = user ? `assigned to ${user}${was ? ` (was ${was})` : ''}` : `unassigned${was ? ` (was ${was})` : ''}`;
  const said = user ? says('assigned', { user, was, note: c.note }) : says('unassigned', { was, note: c.note });
  move(a, 'assign', 'assigned', { ...c, note: c.note ? `${what}: ${c.note}` : what, says: said });
  if (user) a.assignee = user;
  else delete a.assignee;
}

/** Closed at every level it passed through. */
export function resolveAlert(a: Alert, c: Change): void {
  move(a, 'resolve', 'resolved', c);
  a.deadline = null;
  delete a.shelved;
}

export function commentAlert(a: Alert, c: Change): void {
  move(a, 'comment', 'commented', c);
}

/** A decision sent down to the node where the anomaly was seen. */
export function directiveAlert(a: Alert, c: Change): void {
  move(a, 'directive', 'directive', c, a.node);
}

/**
 * A new change (or a dropout) on the series of an alert that is still open: the alert fires again
 * instead of a second one being raised. Counted in `refired`, written in the trail (a droppable
 * entry under the length policy: the count stays).
 */
export function noteRefire(a: Alert, c: Change): void {
  appendTrail(a, trailEntry(a, 'refired', c, a.owner, a.state));
  a.refired = { count: (a.refired?.count ?? 0) + 1, lastAt: c.at };
  a.updatedAt = Math.max(a.updatedAt, c.at);
}

/** Newer evidence changed what the alert says (e.g. a transient turned out to be a step). */
export function noteEvidence(a: Alert, c: Change): void {
  appendTrail(a, trailEntry(a, 'updated', c, a.owner, a.state));
  a.updatedAt = Math.max(a.updatedAt, c.at);
}

/**
 * A child alert joins the grouping alert of its parent. If it already moved up into the group's
 * node, its own deadline ends there: the group carries it further.
 */
export function joinGroup(child: Alert, group: Alert, at: number): void {
  move(child, 'group', 'grouped', {
    at,
    actor: 'system',
    note: `grouped by ${group.id} at ${group.node}`,
    says: says('grouped', { group: group.id, node: group.node }),
  });
  child.groupedBy = group.id;
  if (child.owner === group.node) child.deadline = null;
  if (!(group.groups ?? []).includes(child.id)) {
    group.groups = [...(group.groups ?? []), child.id];
    move(group, 'group', 'grouped', {
      at,
      actor: 'system',
      note: `added ${child.id} from ${child.node}`,
      says: says('groupAdded', { alert: child.id, node: child.node }),
    });
  }
}
