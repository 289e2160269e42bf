import { describe, it, expect } from '@jest/globals';
import { hashSecret } from '../auth/hash.js';
import { parseModel } from './load-model.js';
import type { IndicatorUpdate } from '@opsroom/models';
import { modelView, withLiveValues } from './view.js';

const HASH = hashSecret('demo');
const { model } = parseModel(
  `name: Valle
levels: [region, council, workshop]
indicators:
  - { id: output, unit: units/h, rollup: sum }
nodes:
  - id: valle
    children:
      - id: norte
        weights: { members: 3 }
        levels: { output: { capability: 10, potentiality: 20 } }
        children: [{ id: t1 }, { id: t2 }]
      - id: sur
        children: [{ id: t3 }]
users:
  - { name: n, role: council, scope: valle/norte, password_hash: "${HASH}" }
  - { name: p, role: planner, scope: valle, display_name: Pat Planner, password_hash: "${HASH}" }
  - { name: s, role: council, scope: valle/sur, password_hash: "${HASH}" }
  - { name: w, role: council, scope: valle/norte/t1, password_hash: "${HASH}" }
devices:
  - { id: d, node: valle/norte/t1, secret_hash: "${HASH}" }
`,
  'v.yaml',
);
const MODEL = model!;

describe('modelView', () => {
  it('shows the whole tree, depth-first, from the root', () => {
    const v = modelView(MODEL, 'valle');
    expect(v.scope).toBe('valle');
    expect(v.name).toBe('Valle');
    expect(v.levels).toEqual(['region', 'council', 'workshop']);
    expect(v.nodes.map((n) => n.path)).toEqual([
      'valle',
      'valle/norte',
      'valle/norte/t1',
      'valle/norte/t2',
      'valle/sur',
      'valle/sur/t3',
    ]);
    expect(v.indicators).toEqual(MODEL.indicators);
  });

  it('shows only the scope node and its subtree, without the parent of the scope node', () => {
    const v = modelView(MODEL, 'valle/norte');
    expect(v.nodes.map((n) => n.path)).toEqual(['valle/norte', 'valle/norte/t1', 'valle/norte/t2']);
    expect(v.nodes[0]!.parent).toBeUndefined();
    expect(v.nodes[1]!.parent).toBe('valle/norte');
    expect(JSON.stringify(v)).not.toContain('valle/sur');
  });

  it('keeps depth, level, children, window and fixed levels, and leaves out weights, devices and users', () => {
    const n = modelView(MODEL, 'valle/norte').nodes[0]!;
    expect(n).toEqual({
      path: 'valle/norte',
      name: 'norte',
      depth: 1,
      level: 'council',
      children: ['valle/norte/t1', 'valle/norte/t2'],
      correctionWindowSec: 900,
      levels: { output: { capability: 10, potentiality: 20 } },
    });
    const json = JSON.stringify(modelView(MODEL, 'valle'));
    expect(json).not.toContain('members');
    expect(json).not.toContain('scrypt');
  });

  it('names the people met on alerts in scope: users in the subtree or above it, without role or secret', () => {
    expect(modelView(MODEL, 'valle/norte').people).toEqual([
      { name: 'n', scope: 'valle/norte' },
      { name: 'p', displayName: 'Pat Planner', scope: 'valle' },
      { name: 'w', scope: 'valle/norte/t1' },
    ]);
    expect(modelView(MODEL, 'valle/sur').people!.map((u) => u.name)).toEqual(['p', 's']);
    expect(JSON.stringify(modelView(MODEL, 'valle').people)).not.toMatch(/role|council|planner"|scrypt/);
  });

  it('returns copies, so changing a view leaves the model alone', () => {
    const v = modelView(MODEL, 'valle/norte');
    v.nodes[0]!.children.push('x');
    v.nodes[0]!.levels['output']!.capability = 0;
    v.indicators[0]!.unit = 'changed';
    expect(MODEL.nodes.get('valle/norte')!.children).toHaveLength(2);
    expect(MODEL.nodes.get('valle/norte')!.levels['output']!.capability).toBe(10);
    expect(MODEL.indicators[0]!.unit).toBe('units/h');
  });

  it('throws for a scope that is not a node', () => {
    expect(() => modelView(MODEL, 'valle/oeste')).toThrow('no node has the path "valle/oeste"');
    expect(() => modelView(MODEL, 'vall')).toThrow(RangeError);
  });
});

describe('withLiveValues', () => {
  const update = (node: string, value: number | null): IndicatorUpdate => ({
    node,
    indicator: 'output',
    ts: 5,
    value,
    productivity: null,
    latency: null,
    performance: null,
    stale: value === null,
    missingChildren: 0,
    missingDescendants: 0,
  });

  it('attaches each node’s updates, an empty list where there are none, and the time they were taken', () => {
    const v = withLiveValues(
      modelView(MODEL, 'valle/norte'),
      [update('valle/norte/t1', 3), update('valle/norte', 3)],
      1234,
    );
    expect(v.valuesAt).toBe(1234);
    expect(v.nodes.map((n) => [n.path, n.values!.map((u) => u.value)])).toEqual([
      ['valle/norte', [3]],
      ['valle/norte/t1', [3]],
      ['valle/norte/t2', []],
    ]);
  });

  it('ignores updates of nodes outside the view', () => {
    const v = withLiveValues(
      modelView(MODEL, 'valle/sur'),
      [update('valle/norte/t1', 3), update('valle/sur/t3', null)],
      1,
    );
    expect(v.nodes.flatMap((n) => n.values!.map((u) => u.node))).toEqual(['valle/sur/t3']);
  });
});
