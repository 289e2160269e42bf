import { ancestors, type Model, type ModelNode, type Priority, type ServerDef } from '@opsroom/models';
import { ConfigError } from '../errors.js';
import { didYouMeanSuffix } from './did-you-mean.js';

/** A node at the edge of a server's part: the top of a child server's subtree, hanging from a node this server owns. */
export interface BoundaryNode {
  path: string;
  /** The child server that owns it (its values will come over the uplink, issue 19 point 2). */
  server: string;
}

/** What one server of a federated model runs (issue 19 point 1). */
export interface Ownership {
  server: string;
  /** The server owning the node above this server's subtree; absent for the root's server. */
  parent?: string;
  /** The servers whose parent this one is, in file order. */
  children: string[];
  /** The top of its subtree: the narrowed model's root. */
  top: string;
  /** The nodes it owns, depth-first from `top`. */
  owned: string[];
  /** Children of owned nodes that child servers own, depth-first. */
  boundary: BoundaryNode[];
  /**
   * The model narrowed to what it runs: its owned nodes, plus each boundary node as a leaf (no children, no devices:
   * its values are unknown until the uplink brings them); the devices bound to owned nodes; the users whose scope is
   * an owned node. Level names, indicators, `chattering` and `servers` stay as they are; depths stay the whole tree's;
   * the top node takes the `priorities` its ancestors gave it.
   */
  model: Model;
}

/**
 * What of a server's place in the federation its links were set up for, in words: its parent, its top node, its
 * child servers and the boundary nodes they own. Two ownerships with the same text need the same links; a reload
 * that changes it needs a restart of the server to change them (start.ts warns).
 * @example linkTopology(ownership(model, 'norte')) // 'parent region; top valle/norte; children lana; boundary valle/norte/lana (lana)'
 */
export function linkTopology(o: Pick<Ownership, 'parent' | 'top' | 'children' | 'boundary'>): string {
  const children = [...o.children].sort().join(', ') || 'none';
  const boundary =
    o.boundary
      .map((b) => `${b.path} (${b.server})`)
      .sort()
      .join(', ') || 'none';
  return `parent ${o.parent ?? 'none'}; top ${o.top}; children ${children}; boundary ${boundary}`;
}

/** The owning server of every node of a model with `servers:` (the nearest listed `owns` at or above it). */
export function ownerOfEachNode(model: Model): Map<string, string> {
  const listed = new Map<string, string>();
  for (const s of model.servers ?? []) for (const p of s.owns) listed.set(p, s.id);
  const owner = new Map<string, string>();
  // nodes iterate depth-first, so a parent's owner is known before its children's
  for (const n of model.nodes.values()) {
    const o = listed.get(n.path) ?? (n.parent === undefined ? undefined : owner.get(n.parent));
    if (o !== undefined) owner.set(n.path, o);
  }
  return owner;
}

/**
 * For each node a server below `serverId` owns (a child, a grandchild, any depth), the child of `serverId` on the way
 * to it: where a drill-down question about that node goes first (issue 19 point 3). Nodes of `serverId` itself, and
 * of servers elsewhere in the tree, are absent. `owners`: the model's {@link ownerOfEachNode}, when the caller has it.
 * @example viaChildOfEachNode(model, 'region').get('valle/norte/lana/taller-1') // 'norte', when lana's server is norte's child
 */
export function viaChildOfEachNode(
  model: Model,
  serverId: string,
  owners: ReadonlyMap<string, string> = ownerOfEachNode(model),
): Map<string, string> {
  const parentOf = new Map((model.servers ?? []).map((s) => [s.id, s.parent]));
  const via = new Map<string, string | undefined>(); // server -> the child of serverId above it (memo)
  const viaOf = (server: string): string | undefined => {
    if (via.has(server)) return via.get(server);
    const parent = parentOf.get(server);
    const v = parent === serverId ? server : parent === undefined ? undefined : viaOf(parent);
    via.set(server, v);
    return v;
  };
  const out = new Map<string, string>();
  for (const [node, owner] of owners) {
    const v = owner === serverId ? undefined : viaOf(owner);
    if (v !== undefined) out.set(node, v);
  }
  return out;
}

/**
 * What server `serverId` runs of `model` (pure; the model must have passed the loader, which checks that `servers:`
 * covers the tree without overlap). Throws a ConfigError for a model without `servers:` or an unknown id.
 */
export function ownership(model: Model, serverId: string): Ownership {
  const def = findServer(model, serverId);
  const owner = ownerOfEachNode(model);
  const owned: string[] = [];
  const boundary: BoundaryNode[] = [];
  for (const n of model.nodes.values()) {
    if (owner.get(n.path) === serverId) owned.push(n.path);
    else if (n.parent !== undefined && owner.get(n.parent) === serverId)
      boundary.push({ path: n.path, server: owner.get(n.path)! });
  }
  const top = def.owns[0]!;
  const ownedSet = new Set(owned);
  const boundarySet = new Set(boundary.map((b) => b.path));
  const nodes = new Map<string, ModelNode>();
  for (const n of model.nodes.values()) {
    if (ownedSet.has(n.path)) {
      const node: ModelNode = { ...n, children: [...n.children] };
      if (n.path === top) {
        delete node.parent;
        const priorities = inheritedPriorities(model, top);
        if (priorities) node.priorities = priorities;
      }
      nodes.set(n.path, node);
    } else if (boundarySet.has(n.path))
      nodes.set(n.path, { ...n, children: [], boundary: { server: owner.get(n.path)! } });
  }
  const narrowed: Model = {
    ...model,
    root: top,
    nodes,
    devices: new Map([...model.devices].filter(([, d]) => ownedSet.has(d.node))),
    users: new Map([...model.users].filter(([, u]) => ownedSet.has(u.scope))),
  };
  const out: Ownership = {
    server: serverId,
    children: (model.servers ?? []).filter((s) => s.parent === serverId).map((s) => s.id),
    top,
    owned,
    boundary,
    model: narrowed,
  };
  if (def.parent !== undefined) out.parent = def.parent;
  return out;
}

/**
 * The priorities in force at `path` from its ancestors and itself (the nearest wins), so that a subtree cut from its
 * ancestors keeps the priorities they gave it (alert-priority.ts looks them up the path); undefined when none.
 */
function inheritedPriorities(model: Model, path: string): Record<string, Priority> | undefined {
  const out: Record<string, Priority> = {};
  for (const p of [...ancestors(path).reverse(), path]) Object.assign(out, model.nodes.get(p)?.priorities);
  return Object.keys(out).length ? out : undefined;
}

function findServer(model: Model, serverId: string): ServerDef {
  const servers = model.servers;
  if (!servers)
    throw new ConfigError(
      `--server-id ${serverId} was given, but the model has no "servers:" section: one server runs the whole tree; ` +
        'remove --server-id (and OPSROOM_SERVER_ID), or add "servers:" to the model (models/README.md)',
    );
  const def = servers.find((s) => s.id === serverId);
  if (!def) {
    const ids = servers.map((s) => s.id);
    throw new ConfigError(
      `the model has no server "${serverId}"${didYouMeanSuffix(serverId, ids)}; its servers are: ${ids.join(', ')}`,
    );
  }
  return def;
}

/**
 * Which server a process runs: the given id (flag or OPSROOM_SERVER_ID); with none, the only server of a model that
 * defines exactly one; undefined for a model without `servers:` (one server, the whole tree). Throws a ConfigError
 * naming the ids when a model defines several and none was chosen, or for an unknown id.
 */
export function chooseServer(model: Model, serverId: string | undefined): string | undefined {
  if (serverId !== undefined) {
    findServer(model, serverId);
    return serverId;
  }
  const servers = model.servers;
  if (!servers) return undefined;
  if (servers.length === 1) return servers[0]!.id;
  throw new ConfigError(
    `the model defines ${servers.length} servers (${servers.map((s) => s.id).join(', ')}); say which this one is ` +
      'with --server-id ID (or OPSROOM_SERVER_ID)',
  );
}

/**
 * The function the model holder narrows every model with (start.ts): identity for a model without `servers:` and
 * no id; else the model `ownership()` gives. The id is checked against each new model (a reload that drops the
 * server throws, and the old model runs on).
 */
export function narrowTo(serverId: string | undefined): (model: Model) => Model {
  return (model) => {
    const id = chooseServer(model, serverId);
    return id === undefined ? model : ownership(model, id).model;
  };
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** `opsroom model validate`'s lines on `servers:`: which server owns what, how many nodes each. */
export function summarizeServers(model: Model): string[] {
  const servers = model.servers;
  if (!servers) return [`no "servers:": one server runs all ${plural(model.nodes.size, 'node')}`];
  const lines = [`${plural(servers.length, 'server')}:`];
  for (const s of servers) {
    const o = ownership(model, s.id);
    const parent = o.parent === undefined ? 'no parent (top)' : `parent ${o.parent}`;
    const edge = o.boundary.length ? `; boundary ${o.boundary.map((b) => `${b.path} (${b.server})`).join(', ')}` : '';
    lines.push(`  ${s.id}: owns ${o.top}, ${plural(o.owned.length, 'node')}, ${parent}${edge}`);
  }
  return lines;
}
