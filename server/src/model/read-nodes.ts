import type { Levels, ModelNode, Priority } from '@opsroom/models';
import type { Node } from 'yaml';
import { didYouMeanSuffix } from './did-you-mean.js';
import { isScalar } from 'yaml';
import {
  checkNumber,
  describeNode,
  firstOnLine,
  NON_NEGATIVE,
  openMap,
  POSITIVE,
  readEntries,
  readList,
  readNumber,
  readString,
} from './fields.js';
import type { Entry, Item, MapFields, MapShape } from './fields.js';
import type { ModelReader } from './reader.js';
import { DEFAULT_MAX_SHELVE_SEC, windowForDepth } from './read-levels.js';
import { checkPriority } from './read-indicators.js';
import { readLevel } from './read-learn.js';
import { checkId } from './validate-ids.js';

export const NODE_SHAPE: MapShape = {
  what: 'a node',
  keys: ['id', 'name', 'correction_window', 'weights', 'levels', 'priorities', 'notify', 'children'],
  required: ['id'],
};

export const LEVELS_SHAPE: MapShape = { what: 'the levels of an indicator', keys: ['capability', 'potentiality'] };
export const NOTIFY_SHAPE: MapShape = {
  what: 'the notify settings of a node',
  keys: ['webhook', 'secret_env', 'remind_every'],
  required: ['webhook', 'secret_env'],
};

/** Deeper trees are almost certainly a mistake (and would risk the stack). */
export const MAX_DEPTH = 32;

/** What reading the nodes needs from the rest of the file. */
export interface NodeContext {
  /** Level names by depth. */
  levels: readonly string[];
  /** Correction windows by depth, from `correction_windows:`. */
  windows: ReadonlyMap<number, number>;
  /** Known indicator ids, for the keys of a node's `levels:` and `priorities:`. */
  indicatorIds: ReadonlySet<string>;
  /** The longest shelving by depth, from `max_shelve:`. */
  maxShelve?: ReadonlyMap<number, number>;
}

/** The tree as read: every node by path in depth-first order, and every weight name some node defines. */
export interface NodeTree {
  nodes: Map<string, ModelNode>;
  root?: string;
  weightNames: Set<string>;
  /** True when the nodes had problems, so that a path or weight may be missing only because of them. */
  hasProblems: boolean;
}

/** `nodes:` — a list holding exactly one root node. */
export function readNodes(f: MapFields, ctx: NodeContext): NodeTree {
  const tree: NodeTree = { nodes: new Map(), weightNames: new Set(), hasProblems: false };
  const before = f.r.problems.length;
  readTree(f, ctx, tree);
  tree.hasProblems = f.r.problems.length > before;
  return tree;
}

function readTree(f: MapFields, ctx: NodeContext, tree: NodeTree): void {
  const items = readList(f, 'nodes', 'nodes (exactly one: the root)');
  if (!items) return;
  if (items.length === 0) {
    f.r.report(
      f.at('nodes'),
      f.pathOf('nodes'),
      '"nodes" is empty; it must hold exactly one root node',
      'a list with one root node',
    );
    return;
  }
  items.forEach((item, i) => {
    if (i === 1) {
      f.r.report(
        item.node,
        item.path,
        `a model has exactly one root node; put this node under the root's "children:"`,
        'a list with one root node',
      );
    }
    const root = readNode(f.r, item, undefined, 0, i === 0, new Map(), tree, ctx);
    if (i === 0) tree.root = root;
  });
}

/**
 * Reads one node and its subtree; returns its path when it was recorded in the tree.
 * `record` is false under a node that could not be placed (no id, or a duplicate), so that its
 * subtree is still checked but cannot clash with the real one.
 */
function readNode(
  r: ModelReader,
  item: Item,
  parent: ModelNode | undefined,
  depth: number,
  record: boolean,
  siblings: Map<string, Node | undefined>,
  tree: NodeTree,
  ctx: NodeContext,
): string | undefined {
  const f = openMap(r, item.node, item.path, NODE_SHAPE);
  if (!f) return undefined;
  const id = readString(f, 'id');
  const idNode = f.value('id');
  if (id === undefined || !checkId(r, idNode, f.pathOf('id'), id, 'node')) record = false;
  else if (siblings.has(id)) {
    const where = parent ? `under "${parent.path}"` : 'at the root';
    r.report(
      idNode,
      f.pathOf('id'),
      `two nodes ${where} have the id "${id}"${firstOnLine(r, siblings.get(id))}; sibling ids must be unique`,
    );
    record = false;
  } else siblings.set(id, idNode);

  const name = readString(f, 'name');
  const window = readNumber(f, 'correction_window', POSITIVE('a positive number of seconds'));
  const weights = readWeights(f, tree);
  const levels = readNodeLevels(f, ctx);
  const priorities = readNodePriorities(f, ctx);
  const notify = readNotify(f);
  const path = id === undefined ? undefined : parent ? `${parent.path}/${id}` : id;

  let node: ModelNode | undefined;
  if (record && id !== undefined && path !== undefined) {
    node = {
      path,
      id,
      name: name ?? id,
      depth,
      children: [],
      correctionWindowSec: window ?? windowForDepth(ctx.windows, depth),
      weights,
      levels,
      maxShelveSec: ctx.maxShelve?.get(depth) ?? DEFAULT_MAX_SHELVE_SEC,
    };
    if (Object.keys(priorities).length > 0) node.priorities = priorities;
    const level = ctx.levels[depth];
    if (level !== undefined) node.level = level;
    if (notify) node.notify = notify;
    if (parent) {
      node.parent = parent.path;
      parent.children.push(path);
    }
    tree.nodes.set(path, node); // before the children: the map's order is depth-first from the root
  }

  const children = readList(f, 'children', 'nodes');
  if (children && children.length > 0 && depth + 1 >= MAX_DEPTH) {
    r.report(
      f.at('children'),
      f.pathOf('children'),
      `the tree is deeper than ${MAX_DEPTH} levels; is a node nested inside itself?`,
    );
    return path;
  }
  const childIds = new Map<string, Node | undefined>();
  for (const child of children ?? []) {
    readNode(r, child, node, depth + 1, record && node !== undefined, childIds, tree, ctx);
  }
  return node ? path : undefined;
}

/**
 * `notify: { webhook: https://chat.example/hook, secret_env: OPSROOM_WEBHOOK_NORTE }` — where the
 * alerts this node owns are posted; the secret stays in the environment, never in the file.
 */
function readNotify(f: MapFields): { webhook: string; secretEnv: string; remindEverySec?: number } | undefined {
  const v = f.value('notify');
  if (v === undefined) return undefined;
  const n = openMap(f.r, v, f.pathOf('notify'), NOTIFY_SHAPE);
  if (!n) return undefined;
  const webhook = readString(n, 'webhook', 'an http:// or https:// URL');
  const secretEnv = readString(n, 'secret_env', 'the name of an environment variable, e.g. OPSROOM_WEBHOOK_NORTE');
  // remind_every: seconds between reminders of an unacknowledged alert; 0 = none.
  const remindEvery = readNumber(n, 'remind_every', NON_NEGATIVE('a number of seconds ≥ 0 (0: no reminders)'));
  if (webhook === undefined || secretEnv === undefined) return undefined;
  if (n.has('remind_every') && remindEvery === undefined) return undefined;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(webhook).protocol);
  } catch {
    /* reported below */
  }
  if (!ok) {
    f.r.report(
      n.at('webhook'),
      n.pathOf('webhook'),
      `"${webhook.slice(0, 80)}" is not an http:// or https:// URL`,
      'an http:// or https:// URL',
    );
    return undefined;
  }
  if (!/^[A-Z_][A-Z0-9_]*$/.test(secretEnv)) {
    f.r.report(
      n.at('secret_env'),
      n.pathOf('secret_env'),
      `"${secretEnv.slice(0, 80)}" is not an environment variable name`,
      'upper-case letters, digits and _, e.g. OPSROOM_WEBHOOK_NORTE',
    );
    return undefined;
  }
  return { webhook, secretEnv, ...(remindEvery !== undefined ? { remindEverySec: remindEvery } : {}) };
}

/** `weights: { members: 12 }` — named non-negative numbers for `weighted_mean` roll-ups. */
function readWeights(f: MapFields, tree: NodeTree): Record<string, number> {
  const weights: Record<string, number> = {};
  const rule = NON_NEGATIVE('a number ≥ 0');
  for (const e of readEntries(f, 'weights', 'a mapping of weight name to number, e.g. { members: 12 }') ?? []) {
    tree.weightNames.add(e.key); // defined, even if its value is wrong (reported below)
    if (e.value === undefined) {
      f.r.report(e.keyNode, e.path, `the weight "${e.key}" has no value`, rule.expected);
      continue;
    }
    const w = checkNumber(f.r, e.value, e.path, `the weight "${e.key}"`, rule);
    if (w === undefined) continue;
    weights[e.key] = w;
  }
  return weights;
}

/** `priorities: { output: critical }` — this node's (and its subtree's) priority per indicator id. */
function readNodePriorities(f: MapFields, ctx: NodeContext): Record<string, Priority> {
  const out: Record<string, Priority> = {};
  for (const e of readEntries(f, 'priorities', 'a mapping of indicator id to priority, e.g. { output: high }') ?? []) {
    if (!checkIndicatorKey(f, ctx, e)) continue;
    const expected = 'one of: low, medium, high, critical';
    if (e.value === undefined) {
      f.r.report(e.keyNode, e.path, `the priority of "${e.key}" has no value`, expected);
      continue;
    }
    const text = isScalar(e.value) && typeof e.value.value === 'string' ? e.value.value : undefined;
    if (text === undefined) {
      f.r.report(
        e.value,
        e.path,
        `the priority of "${e.key}" must be ${expected}, not ${describeNode(e.value)}`,
        expected,
      );
      continue;
    }
    const p = checkPriority(f.r, e.value, e.path, text);
    if (p !== undefined) out[e.key] = p;
  }
  return out;
}

/** True when an entry's key names a known indicator; reports it otherwise. */
function checkIndicatorKey(f: MapFields, ctx: NodeContext, e: Entry): boolean {
  if (ctx.indicatorIds.has(e.key)) return true;
  const known = [...ctx.indicatorIds];
  f.r.report(
    e.keyNode,
    e.path,
    `"${e.key}" is not an indicator id${didYouMeanSuffix(e.key, known)}`,
    known.length ? `one of: ${known.join(', ')}` : 'an indicator id',
  );
  return false;
}

/**
 * `levels: { output: { capability: 120, potentiality: learned } }` — Beer's levels per indicator: set, or learned
 * from this node's history (read-learn.ts).
 */
function readNodeLevels(f: MapFields, ctx: NodeContext): Record<string, Levels> {
  const out: Record<string, Levels> = {};
  const entries = readEntries(f, 'levels', 'a mapping of indicator id to { capability, potentiality }');
  for (const e of entries ?? []) {
    checkIndicatorKey(f, ctx, e);
    if (e.value === undefined) continue;
    const g = openMap(f.r, e.value, e.path, LEVELS_SHAPE);
    if (!g) continue;
    const levels: Levels = {};
    for (const kind of ['capability', 'potentiality'] as const) {
      const level = readLevel(g, kind, true);
      if (level === undefined) continue;
      if ('set' in level) levels[kind] = level.set;
      else (levels.learn ??= {})[kind] = level.learn;
    }
    out[e.key] = levels;
  }
  return out;
}
