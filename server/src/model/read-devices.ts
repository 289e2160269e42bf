import type { DeviceDef } from '@opsroom/models';
import type { Node } from 'yaml';
import { firstOnLine, openMap, readList, readString } from './fields.js';
import type { MapFields, MapShape } from './fields.js';
import type { NodeTree } from './read-nodes.js';
import { checkId } from './validate-ids.js';
import { checkNodePath } from './validate-refs.js';
import { checkSecretHash, HASH_EXPECTED, plainSecretKeyMessage } from './validate-secrets.js';

export const DEVICE_SHAPE: MapShape = {
  what: 'a device',
  keys: ['id', 'node', 'secret_hash'],
  required: ['id', 'node', 'secret_hash'],
  forbidden: { secret: plainSecretKeyMessage('secret', 'secret_hash'), password: plainSecretKeyMessage('password', 'secret_hash') },
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
    let ok = true;
    if (id !== undefined) {
      const idNode = g.value('id');
      ok = checkId(f.r, idNode, g.pathOf('id'), id, 'device');
      if (seen.has(id)) {
        f.r.report(idNode, g.pathOf('id'), `the device id "${id}" is used twice${firstOnLine(f.r, seen.get(id))}; device ids must be unique`);
        ok = false;
      } else seen.set(id, idNode);
    }
    if (node !== undefined) ok = checkNodePath(f.r, tree, g.value('node'), g.pathOf('node'), node) && ok;
    if (secretHash !== undefined) ok = checkSecretHash(f.r, g.value('secret_hash'), g.pathOf('secret_hash'), 'secret_hash', secretHash) && ok;
    if (ok && id !== undefined && node !== undefined && secretHash !== undefined) devices.set(id, { id, node, secretHash });
  }
  return devices;
}
