import type { Model } from '@opsroom/models';
import { openMap, readString } from './fields.js';
import type { MapShape } from './fields.js';
import type { ModelReader } from './reader.js';
import { readDevices } from './read-devices.js';
import { readIndicators } from './read-indicators.js';
import { readChattering, readCorrectionWindows, readLevelNames, readMaxShelve } from './read-levels.js';
import { readNodes } from './read-nodes.js';
import { readServers } from './read-servers.js';
import { readUsers } from './read-users.js';
import { checkWeightsDefined } from './validate-refs.js';

export const MODEL_SHAPE: MapShape = {
  what: 'the model',
  keys: [
    'name',
    'levels',
    'correction_windows',
    'max_shelve',
    'chattering',
    'indicators',
    'nodes',
    'devices',
    'users',
    'servers',
  ],
  required: ['name', 'nodes'],
};

/**
 * Reads a parsed model file section by section, in the order later sections depend on earlier
 * ones (levels -> windows -> indicators -> nodes -> devices, users and servers, which name nodes). Every
 * problem goes to the reader; the model is returned only when there is none.
 */
export function readModel(r: ModelReader, contents: unknown): Model | undefined {
  const top = r.resolve(contents);
  if (top === undefined) {
    r.report(
      { offset: 0 },
      '',
      'the model file is empty; it needs at least "name:" and "nodes:" (see models/README.md)',
    );
    return undefined;
  }
  const f = openMap(r, top, '', MODEL_SHAPE);
  if (!f) return undefined;
  const name = readString(f, 'name', 'the name of the organisation');
  const levels = readLevelNames(f);
  const windows = readCorrectionWindows(f, levels);
  const maxShelve = readMaxShelve(f, levels);
  const chattering = readChattering(f);
  const { indicators, ids } = readIndicators(f);
  const tree = readNodes(f, { levels, windows, indicatorIds: ids, maxShelve });
  checkWeightsDefined(r, indicators, tree);
  const devices = readDevices(f, tree);
  const users = readUsers(f, tree);
  const servers = readServers(f, tree);
  if (r.problems.length > 0 || name === undefined || tree.root === undefined) return undefined;
  return {
    name,
    levels,
    indicators: indicators.map((i) => i.def),
    nodes: tree.nodes,
    root: tree.root,
    devices,
    users,
    ...(chattering ? { chattering } : {}),
    ...(servers ? { servers } : {}),
  };
}
