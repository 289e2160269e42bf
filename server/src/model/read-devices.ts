import type { DeviceDef, DeviceTagRule } from '@opsroom/models';
import { isScalar, type Node } from 'yaml';
import { firstOnLine, openMap, readBoolean, readList, readString } from './fields.js';
import type { MapFields, MapShape } from './fields.js';
import type { NodeTree } from './read-nodes.js';
import { checkId } from './validate-ids.js';
import { checkNodePath } from './validate-refs.js';
import { checkSecretHash, HASH_EXPECTED, plainSecretKeyMessage } from './validate-secrets.js';

export const DEVICE_SHAPE: MapShape = {
  what: 'a device',
  keys: ['id', 'node', 'secret_hash', 'disabled', 'tags'],
  required: ['id', 'node', 'secret_hash'],
  forbidden: {
    secret: plainSecretKeyMessage('secret', 'secret_hash'),
    password: plainSecretKeyMessage('password', 'secret_hash'),
  },
};

/** `devices:` — unique ids, each bound to a node of the tree, each with a scrypt `secret_hash`. */
export function readDevices(f: MapFields, tree: NodeTree): Map<string, DeviceDef> {
  const devices = new Map<string, DeviceDef>();
  const seen = new Map<string, Node | undefined>();
  for (const item of readList(f, 'devices', 'devices') ?? []) {
    const g = openMap(f.r, item.node, item.path, DEVICE_SHAPE, f.keyNode('devices'));
    if (!g) continue;
    const id = readString(g, 'id');
    const node = readString(g, 'node', 'a node path from the root, e.g. "valle/norte/lana/taller-1"');
    const secretHash = readString(g, 'secret_hash', HASH_EXPECTED);
    const disabled = readBoolean(g, 'disabled');
    let ok = g.value('disabled') === undefined || disabled !== undefined;
    if (id !== undefined) {
      const idNode = g.value('id');
      ok = checkId(f.r, idNode, g.pathOf('id'), id, 'device') && ok;
      if (seen.has(id)) {
        f.r.report(
          idNode,
          g.pathOf('id'),
          `the device id "${id}" is used twice${firstOnLine(f.r, seen.get(id))}; device ids must be unique`,
        );
        ok = false;
      } else seen.set(id, idNode);
    }
    if (node !== undefined) ok = checkNodePath(f.r, tree, g.value('node'), g.pathOf('node'), node) && ok;
    if (secretHash !== undefined)
      ok = checkSecretHash(f.r, g.value('secret_hash'), g.pathOf('secret_hash'), 'secret_hash', secretHash) && ok;
    const tags = readTagRule(g);
    if (tags === null) ok = false;
    if (ok && id !== undefined && node !== undefined && secretHash !== undefined) {
      const device: DeviceDef = tags ? { id, node, secretHash, tags } : { id, node, secretHash };
      if (disabled) device.disabled = true;
      devices.set(id, device);
    }
  }
  return devices;
}

export const TAG_RULE_SHAPE: MapShape = { what: "a device's tag rule", keys: ['metric', 'ignore'] };

/** Tag keys: what Telegraf and line protocol write, without control characters; at most 64. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what a tag key may not hold
const TAG_KEY = /^[^\u0000-\u001f]{1,64}$/;

/** `tags: {metric: [..], ignore: [..]}`; undefined when absent, null when reported as wrong. */
function readTagRule(g: MapFields): DeviceTagRule | undefined | null {
  const v = g.value('tags');
  if (v === undefined) return undefined;
  const t = openMap(g.r, v, g.pathOf('tags'), TAG_RULE_SHAPE, g.keyNode('tags'));
  if (!t) return null;
  let ok = true;
  const seen = new Set<string>();
  const list = (key: 'metric' | 'ignore'): string[] => {
    const out: string[] = [];
    for (const item of readList(t, key, 'tag keys') ?? []) {
      const k = isScalar(item.node) ? item.node.value : undefined;
      if (typeof k !== 'string' || !TAG_KEY.test(k)) {
        g.r.report(item.node, item.path, `a tag key must be text of 1 to 64 characters, e.g. "sensor"`);
        ok = false;
      } else if (seen.has(k)) {
        const message = `the tag "${k}" is listed twice; a tag is either in the metric name or ignored`;
        g.r.report(item.node, item.path, message);
        ok = false;
      } else {
        seen.add(k);
        out.push(k);
      }
    }
    return out;
  };
  const rule = { metric: list('metric'), ignore: list('ignore') };
  return ok ? rule : null;
}
