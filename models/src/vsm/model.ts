/**
 * The recursive Viable System Model as the server holds it after loading the model file.
 * Every node has the same shape: indicators, a correction window, children.
 */

export const ROLLUP_RULES = ['sum', 'mean', 'weighted_mean', 'min', 'max'] as const;
export type RollupRule = (typeof ROLLUP_RULES)[number];

/**
 * How urgent an indicator's alerts are (ISA-18.2 / EEMUA 191 priorities). Default `medium`; an
 * alert's own priority starts here and moves one step with how far and how sure the change is
 * (server/src/alerts/alert-priority.ts, docs/alerts.md "Priority").
 */
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const DEFAULT_PRIORITY: Priority = 'medium';

export const ROLES = ['device', 'council', 'planner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface IndicatorDef {
  id: string;
  name: string;
  unit: string;
  /** How a parent's actuality comes from its children's. */
  rollup: RollupRule;
  /** For `weighted_mean`: the name of the node weight (`weights:` on each node) to weigh children by. */
  weight?: string;
  /**
   * The priority of its alerts; absent means {@link DEFAULT_PRIORITY}. A node may override it (`ModelNode.priorities`).
   */
  priority?: Priority;
  /**
   * `capability: learned` / `potentiality: learned` on the indicator: every node that sets no number of its own
   * learns that level from its own history.
   */
  learn?: LearnRules;
}

/**
 * How a capability or potentiality is learned from a node's actuality history (README, "Capability and
 * potentiality"): the `percentile` of the hourly means of its actuality over the trailing `windowDays`, once at
 * least {@link MIN_LEARN_HOURS} of those hours hold a value; until then `fallback` (the model's number), if any.
 */
export interface LearnRule {
  /** In (0, 100]. */
  percentile: number;
  /** The trailing window, days (at most {@link MAX_LEARN_WINDOW_DAYS}). */
  windowDays: number;
  /** Used (as a set value) until enough history exists. */
  fallback?: number;
}

/** `capability: learned`: the 95th percentile of the hourly means over the last 28 days. */
export const DEFAULT_CAPABILITY_RULE: Readonly<LearnRule> = { percentile: 95, windowDays: 28 };
/** `potentiality: learned`: the 99th percentile of the hourly means over the last 365 days. */
export const DEFAULT_POTENTIALITY_RULE: Readonly<LearnRule> = { percentile: 99, windowDays: 365 };
/** A learned level needs this many hours with a value in its window (a day) before it is used. */
export const MIN_LEARN_HOURS = 24;
/** The longest trailing window a level may be learned over, days (bounds the work of learning). */
export const MAX_LEARN_WINDOW_DAYS = 3660;

/** The rules an indicator (for every node) or a node (for one indicator) learns its levels by. */
export interface LearnRules {
  capability?: LearnRule;
  potentiality?: LearnRule;
}

/** Whether a level's value was set in the model (or rolled up from set ones) or learned from history. */
export type LevelSource = 'set' | 'learned';

/**
 * Beer's three levels for one indicator at one node. Fixed in the model; absent means unknown, or
 * learned when `learn` has a rule for it.
 */
export interface Levels {
  capability?: number;
  potentiality?: number;
  /** Levels this node learns from its history (`capability: learned` under the node's `levels:`). */
  learn?: LearnRules;
}

export interface ModelNode {
  /** Path from the root, `/`-separated ids: `valle/norte/lana/taller-1`. The root's path is its id. */
  path: string;
  id: string;
  name: string;
  /** 0 at the root. */
  depth: number;
  /** The level name for this depth (`region`, `council`…), when the model names levels. */
  level?: string;
  parent?: string;
  children: string[];
  /** Seconds the owner of an alert at this node has to acknowledge or resolve it. */
  correctionWindowSec: number;
  /** Named weights for `weighted_mean` roll-ups (e.g. `members: 12`). */
  weights: Record<string, number>;
  /** Capability and potentiality per indicator id, fixed in the model. */
  levels: Record<string, Levels>;
  /**
   * Optional webhook for the alerts this node owns (raised here or escalated to it): a signed JSON
   * POST. The shared secret is never in the model: `secretEnv` names the environment variable.
   * `remindEverySec`: an alert it owns that stays unacknowledged is posted again (`reminder`) this
   * often; absent means the server's default (1 hour), 0 none.
   */
  notify?: { webhook: string; secretEnv: string; remindEverySec?: number };
  /** Per-indicator priority for this node and its subtree (the nearest node's wins over the indicator's). */
  priorities?: Record<string, Priority>;
  /** The longest an alert owned by this node may be shelved, seconds (the level's `max_shelve`; default 8 h). */
  maxShelveSec?: number;
  /**
   * Only in a server's narrowed model (issue 19): this node is the top of a child server's subtree, kept as a leaf
   * whose values come from that server (`server`), not from devices here.
   */
  boundary?: { server: string };
}

/** An alert that clears and re-raises more than `reraises` times within `minutes` is held as one chattering alert. */
export interface ChatteringRule {
  reraises: number;
  minutes: number;
}

export interface DeviceDef {
  id: string;
  /** Node path the device is bound to: its readings belong to this node. */
  node: string;
  /** `scrypt$N$r$p$salt$hash` (base64 parts). Never plain text. */
  secretHash: string;
  /** How the tags of its line-protocol and Telegraf JSON readings map (server/src/ingest/series-tags.ts). */
  tags?: DeviceTagRule;
  /** `disabled: true`: the broker refuses it (live connection closed, new CONNECTs refused). */
  disabled?: boolean;
}

/**
 * A device's tag rule (model `devices[].tags`). A tag never selects a device or node: those come
 * from the topic and the model.
 */
export interface DeviceTagRule {
  /** Tags whose values are appended to the metric name, in order: `temperature,sensor=oven1` -> `temperature_oven1`. */
  metric: string[];
  /** Tags that are not part of a series' identity (their value may change without making a new series). */
  ignore: string[];
}

export interface UserDef {
  name: string;
  role: Exclude<Role, 'device'>;
  /** Node path: the user sees this node and its subtree. */
  scope: string;
  passwordHash: string;
  displayName?: string;
  /** `disabled: true`: no login, and the user's sessions end. */
  disabled?: boolean;
}

export interface Model {
  name: string;
  /** Level names by depth, root first (may be shorter than the tree is deep). */
  levels: string[];
  indicators: IndicatorDef[];
  /** Every node by path; iteration order is depth-first from the root. */
  nodes: Map<string, ModelNode>;
  root: string;
  devices: Map<string, DeviceDef>;
  users: Map<string, UserDef>;
  /** `chattering:` in the model file; absent means the server's default (docs/alerts.md). */
  chattering?: ChatteringRule;
  /**
   * `servers:` (issue 19, federation): which server runs which subtree. Absent means one server runs the whole tree.
   * When present, exactly one server owns the root and every node has exactly one owner (models/README.md).
   */
  servers?: ServerDef[];
}

/**
 * One server of a federated model: it runs the subtrees it `owns`, minus the subtrees other servers own under them.
 * Its `parent` is the server owning the node above its subtree (absent only for the server owning the root).
 */
export interface ServerDef {
  id: string;
  /** Node paths from the root; each is the top of a subtree this server runs (one for now). */
  owns: string[];
  parent?: string;
  /**
   * scrypt hash of this server's secret on its parent's broker (issue 19 point 2): the parent lets it in as user
   * `$server:<id>`, publishing only its own uplink topic. Absent: the parent refuses it.
   */
  secretHash?: string;
}

/** True when `path` is `scope` or lies under it. */
export function inScope(scope: string, path: string): boolean {
  return path === scope || path.startsWith(scope + '/');
}

/** The ancestors of a path, nearest first: `a/b/c` -> [`a/b`, `a`]. */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  let i = path.lastIndexOf('/');
  while (i > 0) {
    path = path.slice(0, i);
    out.push(path);
    i = path.lastIndexOf('/');
  }
  return out;
}

/** The shapes of `GET /api/model`'s answer: derived from their schemas (../http/model-view.ts). */
export type { ModelView, NodeView, PersonView } from '../http/model-view.js';
