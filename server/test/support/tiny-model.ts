import type { IndicatorDef, Model, ModelNode } from '@opsroom/models';

/**
 * A small model built in code for unit tests: r -> {a -> {a1, a2}, b -> {b1}}, each leaf with one
 * device `<leaf>-dev`; windows 60 s at leaves, 600 s above, 3600 s at the root.
 */
export function tinyModel(
  indicators: IndicatorDef[] = [{ id: 'output', name: 'Output', unit: 'u', rollup: 'sum' }],
): Model {
  const nodes = new Map<string, ModelNode>();
  const add = (path: string, children: string[], windowSec: number, extra: Partial<ModelNode> = {}) => {
    const parts = path.split('/');
    nodes.set(path, {
      path,
      id: parts[parts.length - 1]!,
      name: parts[parts.length - 1]!.toUpperCase(),
      depth: parts.length - 1,
      parent: parts.length > 1 ? parts.slice(0, -1).join('/') : undefined,
      children: children.map((c) => `${path}/${c}`),
      correctionWindowSec: windowSec,
      weights: {},
      levels: {},
      ...extra,
    });
  };
  add('r', ['a', 'b'], 3600);
  add('r/a', ['a1', 'a2'], 600);
  add('r/a/a1', [], 60, { weights: { members: 1 }, levels: { output: { capability: 10, potentiality: 20 } } });
  add('r/a/a2', [], 60, { weights: { members: 3 }, levels: { output: { capability: 30, potentiality: 40 } } });
  add('r/b', ['b1'], 600);
  add('r/b/b1', [], 60, { weights: { members: 2 } });
  const devices = new Map(
    ['r/a/a1', 'r/a/a2', 'r/b/b1'].map((n) => {
      const id = `${n.split('/').pop()}-dev`;
      return [id, { id, node: n, secretHash: 'scrypt$16384$8$1$x$y' }] as const;
    }),
  );
  return {
    name: 'tiny',
    levels: ['root', 'mid', 'leaf'],
    indicators,
    nodes,
    root: 'r',
    devices,
    users: new Map([
      ['boss', { name: 'boss', role: 'planner', scope: 'r', passwordHash: 'x' }],
      ['council-a', { name: 'council-a', role: 'council', scope: 'r/a', passwordHash: 'x' }],
      ['council-b', { name: 'council-b', role: 'council', scope: 'r/b', passwordHash: 'x' }],
    ]),
  };
}
