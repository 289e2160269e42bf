import { createHash } from 'node:crypto';
import type { Model } from '@opsroom/models';

/**
 * The model hash (issue 19 point 1): sha256, hex, of a canonical JSON of what servers of one federation must agree on
 * for roll-ups and alerts to mean the same on each — the name, level names, indicators, the node tree (ids, names,
 * windows, weights, levels, priorities, shelving), `chattering` and `servers`. Keys are sorted and collections
 * ordered by id or path, so whitespace, comments, key order and the order of siblings do not change it.
 *
 * Left out on purpose: `devices` and `users` (each server's own credentials, which its Administration screen edits;
 * hashing them would make every new device on one council refuse its uplink until all servers had the same file)
 * and `notify` (where a node's alerts are delivered is local, and a webhook URL may carry a token). So the hash
 * holds no secret, not even a scrypt hash, and may be shown on a banner or sent in every message.
 */
export function modelHash(model: Model): string {
  const nodes = [...model.nodes.values()]
    .map(({ notify: _notify, children, ...n }) => ({ ...n, children: [...children].sort() }))
    .sort((a, b) => compare(a.path, b.path));
  const content = {
    format: 'opsroom-model-hash/1',
    name: model.name,
    levels: model.levels,
    indicators: [...model.indicators].sort((a, b) => compare(a.id, b.id)),
    nodes,
    root: model.root,
    chattering: model.chattering ?? null,
    servers: model.servers
      ? [...model.servers].map((s) => ({ ...s, owns: [...s.owns].sort() })).sort((a, b) => compare(a.id, b.id))
      : null,
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** JSON with every object's keys sorted and undefined members left out. @example canonicalJson({b: 1, a: [2]}) // '{"a":[2],"b":1}' */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => compare(a, b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
