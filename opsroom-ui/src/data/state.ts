import { sameFilter, type AlertViewFilter, type RoomView, type SceneMode } from '../nav/hash.js';
import {
  inScope,
  PRIORITIES,
  type Alert,
  type IndicatorUpdate,
  type ModelView,
  type NodeState,
  type NodeStatus,
  type NodeView,
  type Priority,
} from '@opsroom/models';

/** The signed-in user as `/api/me` and `/api/login` describe them. */
export interface SessionUser {
  name: string;
  role: string;
  scope: string;
}

export type ConnectionStatus = 'offline' | 'connecting' | 'live';

/**
 * Everything the ops room shows, in one immutable value. Reducers return a new value and keep
 * every untouched part by reference, so a view can skip work with `prev.alerts === next.alerts`.
 */
export interface RoomState {
  user: SessionUser | null;
  model: ModelView | null;
  /** The model's nodes by path (derived from `model` once). */
  nodes: ReadonlyMap<string, NodeView>;
  /** Latest value per node and indicator, keyed by {@link valueKey}. */
  latest: ReadonlyMap<string, IndicatorUpdate>;
  /** The server's last word on each node's state (dropped on resynchronisation, see `alerts:replace`). */
  statuses: ReadonlyMap<string, NodeStatus>;
  alerts: ReadonlyMap<string, Alert>;
  /** The node the room looks at; always a node of the model once one is loaded. */
  focus: string | null;
  /** The highlighted child of the focused node (keyboard cursor), or null. */
  cursor: string | null;
  connection: ConnectionStatus;
  /** The indicator the history chart shows; the model's first once a model is loaded. */
  indicator: string | null;
  /** The alert screen's filter (kept in the URL, nav/hash.ts). */
  filter: AlertViewFilter;
  /** The screen shown: the room, or the alarm system's health. */
  view: RoomView;
  /** How the room is drawn: 3D, or the 2D tiles (asked for, or without WebGL). */
  scene: SceneMode;
}

export type RoomAction =
  | { type: 'session'; user: SessionUser }
  | { type: 'logout' }
  | { type: 'model'; model: ModelView }
  | { type: 'indicators'; updates: readonly IndicatorUpdate[] }
  | { type: 'statuses'; statuses: readonly NodeStatus[] }
  /** A full refetch of the open alerts (start, reconnect): replaces the open ones and forgets stale statuses. */
  | { type: 'alerts:replace'; alerts: readonly Alert[] }
  | { type: 'alert'; alert: Alert }
  | { type: 'focus'; path: string | null }
  | { type: 'cursor'; path: string | null }
  | { type: 'connection'; status: ConnectionStatus }
  | { type: 'indicator'; id: string }
  | { type: 'filter'; filter: AlertViewFilter }
  | { type: 'view'; view: RoomView }
  | { type: 'scene'; scene: SceneMode };

export const EMPTY_STATE: RoomState = Object.freeze({
  user: null,
  model: null,
  nodes: new Map(),
  latest: new Map(),
  statuses: new Map(),
  alerts: new Map(),
  focus: null,
  cursor: null,
  connection: 'offline',
  indicator: null,
  filter: Object.freeze({}),
  view: 'room',
  scene: '3d',
}) as RoomState;

/**
 * The key of one node's indicator in {@link RoomState.latest}.
 * @example valueKey('valle/norte', 'output') // 'valle/norte\u0000output'
 */
export const valueKey = (node: string, indicator: string): string => `${node}\u0000${indicator}`;

/** Alerts kept once resolved, newest first, so a resolve is seen before it disappears. */
export const MAX_RESOLVED_KEPT = 20;

/** The state after one action. Pure: never mutates `state`. */
export function reduce(state: RoomState, action: RoomAction): RoomState {
  switch (action.type) {
    case 'session':
      return { ...state, user: action.user };
    case 'logout':
      return EMPTY_STATE;
    case 'filter':
      return sameFilter(state.filter, action.filter) ? state : { ...state, filter: withoutEmpty(action.filter) };
    case 'view':
      return state.view === action.view ? state : { ...state, view: action.view };
    case 'scene':
      return state.scene === action.scene ? state : { ...state, scene: action.scene };
    case 'model': {
      const nodes = new Map(action.model.nodes.map((n) => [n.path, n] as const));
      const keep = <V>(m: ReadonlyMap<string, V>, pathOf: (v: V) => string) =>
        new Map([...m].filter(([, v]) => nodes.has(pathOf(v))));
      const next: RoomState = {
        ...state,
        model: action.model,
        nodes,
        latest: keep(state.latest, (u) => u.node),
        statuses: keep(state.statuses, (s) => s.node),
        indicator: action.model.indicators.some((i) => i.id === state.indicator)
          ? state.indicator
          : (action.model.indicators[0]?.id ?? null),
      };
      // The values the view came with (on a region's server, those of nodes a council's server runs are only here).
      return withFocus(
        applyIndicators(
          next,
          action.model.nodes.flatMap((n) => n.values ?? []),
        ),
        state.focus,
      );
    }
    case 'indicators':
      return applyIndicators(state, action.updates);
    case 'statuses': {
      if (action.statuses.length === 0) return state;
      const statuses = new Map(state.statuses);
      for (const s of action.statuses) if (state.nodes.has(s.node)) statuses.set(s.node, s);
      return { ...state, statuses };
    }
    case 'alerts:replace': {
      const alerts = new Map<string, Alert>();
      // Keep what was resolved recently (the refetch asks for open alerts only).
      for (const a of state.alerts.values()) if (a.state === 'resolved') alerts.set(a.id, a);
      for (const a of action.alerts) alerts.set(a.id, a);
      return { ...state, alerts: pruneResolved(alerts), statuses: new Map() };
    }
    case 'alert': {
      const old = state.alerts.get(action.alert.id);
      if (old && old.updatedAt > action.alert.updatedAt) return state; // an older copy arrived late
      const alerts = new Map(state.alerts);
      alerts.set(action.alert.id, action.alert);
      return { ...state, alerts: action.alert.state === 'resolved' ? pruneResolved(alerts) : alerts };
    }
    case 'focus':
      return withFocus(state, action.path);
    case 'cursor': {
      const focused = state.focus ? state.nodes.get(state.focus) : undefined;
      const cursor = action.path && focused?.children.includes(action.path) ? action.path : null;
      return cursor === state.cursor ? state : { ...state, cursor };
    }
    case 'connection':
      return action.status === state.connection ? state : { ...state, connection: action.status };
    case 'indicator':
      if (action.id === state.indicator || !state.model?.indicators.some((i) => i.id === action.id)) return state;
      return { ...state, indicator: action.id };
  }
}

/** Newest value per key wins; an update older than the one held is ignored (a snapshot racing a live batch). */
function applyIndicators(state: RoomState, updates: readonly IndicatorUpdate[]): RoomState {
  let latest: Map<string, IndicatorUpdate> | null = null;
  for (const u of updates) {
    if (state.model && !state.nodes.has(u.node)) continue; // outside the model as loaded: ignore
    const key = valueKey(u.node, u.indicator);
    const held = (latest ?? state.latest).get(key);
    if (held && held.ts > u.ts) continue;
    latest ??= new Map(state.latest);
    latest.set(key, u);
  }
  return latest ? { ...state, latest } : state;
}

/** Focus on `path` when the model has it, else on the user's scope; the cursor resets when focus moves. */
function withFocus(state: RoomState, path: string | null): RoomState {
  let focus: string | null = null;
  if (path && state.nodes.has(path)) focus = path;
  else if (state.model && state.nodes.has(state.model.scope)) focus = state.model.scope;
  else if (!state.model) focus = path;
  if (focus === state.focus) return state;
  return { ...state, focus, cursor: null };
}

function withoutEmpty(f: AlertViewFilter): AlertViewFilter {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '')) as AlertViewFilter;
}

function pruneResolved(alerts: Map<string, Alert>): Map<string, Alert> {
  const resolved = [...alerts.values()].filter((a) => a.state === 'resolved');
  if (resolved.length <= MAX_RESOLVED_KEPT) return alerts;
  resolved.sort((a, b) => b.updatedAt - a.updatedAt);
  for (const a of resolved.slice(MAX_RESOLVED_KEPT)) alerts.delete(a.id);
  return alerts;
}

/**
 * The highest priority among the active alerts owned at `path` (open, not shelved), or null when
 * there are none: what the room shows beside the node's state.
 */
export function topPriority(state: RoomState, path: string): Priority | null {
  let rank = -1;
  for (const a of state.alerts.values()) {
    if (a.owner !== path || a.state === 'resolved' || a.shelved) continue;
    rank = Math.max(rank, PRIORITIES.indexOf(a.priority ?? 'medium'));
  }
  return rank < 0 ? null : PRIORITIES[rank]!;
}

/** Open alerts owned at `path` (not below it). */
export function openAlertsOwnedAt(state: RoomState, path: string): Alert[] {
  const out: Alert[] = [];
  for (const a of state.alerts.values()) if (a.owner === path && a.state !== 'resolved') out.push(a);
  return out;
}

/**
 * A node's state: the server's `node:status` when it sent one since the last resynchronisation,
 * else derived from the open alerts it owns: any escalated to it (an algedonic signal that
 * arrived from below) or past its deadline at `now` -> `crisis`; any other open -> `alert`.
 */
export function nodeState(state: RoomState, path: string, now: number): NodeState {
  const status = state.statuses.get(path);
  if (status) return status.state;
  let result: NodeState = 'normal';
  for (const a of state.alerts.values()) {
    // A shelved alert is off the active list: it does not colour its node (as the server's status).
    if (a.owner !== path || a.state === 'resolved' || a.shelved) continue;
    if (a.state === 'escalated' || (a.deadline !== null && a.deadline <= now)) return 'crisis';
    result = 'alert';
  }
  return result;
}

/** The earliest deadline among the open alerts a node owns (server status first), or null. */
export function nextDeadline(state: RoomState, path: string): number | null {
  const status = state.statuses.get(path);
  if (status) return status.nextDeadline;
  let best: number | null = null;
  for (const a of state.alerts.values()) {
    if (a.owner !== path || a.state === 'resolved' || a.deadline === null) continue;
    if (best === null || a.deadline < best) best = a.deadline;
  }
  return best;
}

/** Alerts owned at `focus` or anywhere under it. */
export function alertsUnder(state: RoomState, focus: string): Alert[] {
  const out: Alert[] = [];
  for (const a of state.alerts.values()) if (inScope(focus, a.owner)) out.push(a);
  return out;
}

/** A small observable store around {@link reduce}. Subscribers get (next, prev) after every change. */
export interface Store {
  get(): RoomState;
  dispatch(action: RoomAction): void;
  subscribe(fn: (next: RoomState, prev: RoomState) => void): () => void;
}

export function createStore(initial: RoomState = EMPTY_STATE): Store {
  let state = initial;
  const subscribers = new Set<(next: RoomState, prev: RoomState) => void>();
  return {
    get: () => state,
    dispatch(action) {
      const prev = state;
      state = reduce(prev, action);
      if (state === prev) return;
      for (const fn of [...subscribers]) fn(state, prev);
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
}
