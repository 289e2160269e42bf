import { ancestors, type ServerDef } from '@opsroom/models';
import { isScalar, type Node } from 'yaml';
import { didYouMeanSuffix } from './did-you-mean.js';
import { describeNode, firstOnLine, openMap, readList, readString } from './fields.js';
import type { MapFields, MapShape } from './fields.js';
import type { NodeTree } from './read-nodes.js';
import { checkId } from './validate-ids.js';
import { checkNodePath } from './validate-refs.js';
import { checkSecretHash, HASH_EXPECTED, plainSecretKeyMessage } from './validate-secrets.js';

export const SERVER_SHAPE: MapShape = {
  what: 'a server',
  keys: ['id', 'owns', 'parent', 'secret_hash'],
  forbidden: {
    secret: plainSecretKeyMessage('secret', 'secret_hash'),
    password: plainSecretKeyMessage('password', 'secret_hash'),
  },
  required: ['id', 'owns'],
};

const PATH_EXPECTED = 'a node path from the root, e.g. "valle/norte"';

/** One server as read, with where its fields are (for the rules across servers). */
interface ReadServer {
  id: string;
  idNode: Node | undefined;
  idPath: string;
  /** The owned path with its place; undefined when it could not be read. */
  owns?: { path: string; node: Node | undefined; at: string };
  parent?: string;
  secretHash?: string;
  parentNode: Node | undefined;
  parentPath: string;
}

/**
 * `servers:` (issue 19 point 1) — which server runs which subtree. Checks: unique ids; each server owns one existing
 * subtree (`owns: [path]`); no node path owned twice; exactly one server owns the root, and it has no parent; every
 * other server's `parent` exists and is the server owning the nearest owned node above its subtree; no cycle of
 * parents. Returns undefined when the section is absent (one server runs everything) or has problems.
 */
export function readServers(f: MapFields, tree: NodeTree): ServerDef[] | undefined {
  if (!f.has('servers')) return undefined;
  const items = readList(f, 'servers', 'servers');
  if (!items || items.length === 0) {
    if (f.value('servers') === undefined || items)
      f.r.report(
        f.at('servers'),
        f.pathOf('servers'),
        '"servers" is empty; list the servers and the subtrees they own, or remove it (one server runs everything)',
        'a list of servers',
      );
    return undefined;
  }
  const before = f.r.problems.length;
  const servers: ReadServer[] = [];
  const seen = new Map<string, Node | undefined>();
  for (const item of items) {
    const g = openMap(f.r, item.node, item.path, SERVER_SHAPE, f.keyNode('servers'));
    if (!g) continue;
    const id = readString(g, 'id', 'a server id');
    const parent = readString(g, 'parent', 'the id of another server');
    const owns = readOwns(g, tree);
    const secretHash = readString(g, 'secret_hash', HASH_EXPECTED);
    if (
      secretHash !== undefined &&
      !checkSecretHash(f.r, g.value('secret_hash'), g.pathOf('secret_hash'), 'secret_hash', secretHash)
    )
      continue;
    if (id === undefined) continue;
    const idNode = g.value('id');
    if (!checkId(f.r, idNode, g.pathOf('id'), id, 'server')) continue;
    if (seen.has(id)) {
      const first = firstOnLine(f.r, seen.get(id));
      f.r.report(idNode, g.pathOf('id'), `the server id "${id}" is used twice${first}; server ids must be unique`);
      continue;
    }
    seen.set(id, idNode);
    const server: ReadServer = {
      id,
      idNode,
      idPath: g.pathOf('id'),
      parentNode: g.value('parent'),
      parentPath: g.pathOf('parent'),
    };
    if (owns) server.owns = owns;
    if (parent !== undefined) server.parent = parent;
    if (secretHash !== undefined) server.secretHash = secretHash;
    servers.push(server);
  }
  checkAcross(f, tree, servers);
  if (f.r.problems.length > before) return undefined;
  return servers.map((s) => ({
    id: s.id,
    owns: s.owns ? [s.owns.path] : [],
    ...(s.parent ? { parent: s.parent } : {}),
    ...(s.secretHash ? { secretHash: s.secretHash } : {}),
  }));
}

/** `owns: [path]`: one existing node path (several subtrees per server are not supported yet). */
function readOwns(g: MapFields, tree: NodeTree): ReadServer['owns'] | undefined {
  const items = readList(g, 'owns', 'node paths');
  if (!items) return undefined;
  if (items.length === 0) {
    g.r.report(
      g.at('owns'),
      g.pathOf('owns'),
      '"owns" is empty; list the top of the subtree this server runs',
      'one node path',
    );
    return undefined;
  }
  for (const extra of items.slice(1))
    g.r.report(
      extra.node,
      extra.path,
      'a server runs one subtree for now: give this subtree a server of its own (with this server as its parent, ' +
        'when it lies under it)',
      'one node path',
    );
  const first = items[0]!;
  const path = isScalar(first.node) && typeof first.node.value === 'string' ? first.node.value : undefined;
  if (path === undefined) {
    g.r.report(first.node, first.path, `a node path must be text, not ${describeNode(first.node)}`, PATH_EXPECTED);
    return undefined;
  }
  if (!checkNodePath(g.r, tree, first.node, first.path, path) || items.length > 1) return undefined;
  return { path, node: first.node, at: first.path };
}

/** The rules across servers: one owner per path, one root server, parents that exist, match the tree, no cycles. */
function checkAcross(f: MapFields, tree: NodeTree, servers: readonly ReadServer[]): void {
  const r = f.r;
  const byId = new Map(servers.map((s) => [s.id, s]));
  const owner = new Map<string, ReadServer>();
  for (const s of servers) {
    if (!s.owns) continue;
    const first = owner.get(s.owns.path);
    if (first) {
      r.report(
        s.owns.node,
        s.owns.at,
        `the subtree "${s.owns.path}" is owned twice: by server "${first.id}"${firstOnLine(r, first.owns?.node)} and ` +
          `by "${s.id}"; every node has exactly one owning server`,
      );
    } else owner.set(s.owns.path, s);
  }
  const root = tree.root;
  const rootOwned = root !== undefined && owner.has(root);
  if (root !== undefined && !rootOwned && servers.every((s) => s.owns !== undefined))
    r.report(
      f.at('servers'),
      f.pathOf('servers'),
      `no server owns the root "${root}": exactly one server must (the one at the top, without "parent:")`,
      `a server with owns: [${root}]`,
    );
  const badParent = new Set<string>();
  for (const s of servers) {
    if (s.parent === undefined) continue;
    if (s.parent === s.id) {
      r.report(s.parentNode, s.parentPath, `server "${s.id}" cannot be its own parent`, 'the id of another server');
      badParent.add(s.id);
    } else if (!byId.has(s.parent)) {
      r.report(
        s.parentNode,
        s.parentPath,
        `no server has the id "${s.parent}"${didYouMeanSuffix(s.parent, [...byId.keys()])}`,
        `one of: ${[...byId.keys()].join(', ')}`,
      );
      badParent.add(s.id);
    }
  }
  for (const cycle of parentCycles(servers, badParent)) {
    const first = byId.get(cycle[0]!)!;
    r.report(
      first.parentNode,
      first.parentPath,
      `the servers' parents form a cycle: ${[...cycle, cycle[0]].join(' -> ')}; the parent of a server is the one ` +
        'owning the node above its subtree',
    );
    for (const id of cycle) badParent.add(id);
  }
  if (!rootOwned) return; // without a root server, "the server owning the node above" is not known
  for (const s of servers) {
    if (!s.owns || badParent.has(s.id)) continue;
    checkParent(f, s, owner, root);
  }
}

/** The parent rule for one server: none at the root; elsewhere the owner of the nearest owned node above. */
function checkParent(f: MapFields, s: ReadServer, owner: ReadonlyMap<string, ReadServer>, root: string): void {
  const r = f.r;
  const top = s.owns!.path;
  if (top === root) {
    if (s.parent !== undefined)
      r.report(
        s.parentNode,
        s.parentPath,
        `server "${s.id}" owns the root "${root}", so it has no parent server; remove "parent"`,
      );
    return;
  }
  const above = ancestors(top).find((p) => owner.has(p));
  if (above === undefined) return;
  const expected = owner.get(above)!;
  if (expected.id === s.id) return; // owned twice by itself: not reachable with one path per server
  if (s.parent === undefined) {
    r.report(
      [s.idNode],
      s.parentPath,
      `server "${s.id}" needs "parent: ${expected.id}": server "${expected.id}" owns "${above}", the nearest ` +
        `owned node above "${top}"`,
      `parent: ${expected.id}`,
    );
  } else if (s.parent !== expected.id) {
    r.report(
      s.parentNode,
      s.parentPath,
      `the parent of server "${s.id}" must be "${expected.id}", which owns "${above}", the nearest owned node ` +
        `above "${top}"; not "${s.parent}"`,
      `parent: ${expected.id}`,
    );
  }
}

/** Each cycle of `parent` links once, as the ids in order from the first server of the file on it. */
function parentCycles(servers: readonly ReadServer[], skip: ReadonlySet<string>): string[][] {
  const parentOf = new Map(servers.filter((s) => !skip.has(s.id)).map((s) => [s.id, s.parent]));
  const done = new Set<string>();
  const cycles: string[][] = [];
  for (const s of servers) {
    const chain: string[] = [];
    let at: string | undefined = s.id;
    while (at !== undefined && !done.has(at) && !chain.includes(at)) {
      chain.push(at);
      at = parentOf.get(at);
    }
    if (at !== undefined && chain.includes(at)) cycles.push(chain.slice(chain.indexOf(at)));
    for (const id of chain) done.add(id);
  }
  return cycles;
}
