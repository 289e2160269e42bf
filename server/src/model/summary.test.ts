import { describe, it, expect } from '@jest/globals';
import type { Model, ModelNode } from '@opsroom/models';
import { formatSeconds, summarizeModel } from './summary.js';

const node = (path: string, depth: number, window: number, extra: Partial<ModelNode> = {}): ModelNode => ({
  path,
  id: path.slice(path.lastIndexOf('/') + 1),
  name: path,
  depth,
  children: [],
  correctionWindowSec: window,
  weights: {},
  levels: {},
  ...extra,
});

const MODEL: Model = {
  name: 'Valle',
  levels: ['region', 'council'],
  indicators: [
    { id: 'output', name: 'Production output', unit: 'units/h', rollup: 'sum' },
    { id: 'defect_rate', name: 'Defect rate', unit: '%', rollup: 'weighted_mean', weight: 'members' },
  ],
  nodes: new Map([
    ['valle', node('valle', 0, 14400, { levels: { output: { capability: 1, potentiality: 2 } } })],
    ['valle/norte', node('valle/norte', 1, 1800)],
    ['valle/sur', node('valle/sur', 1, 3600)],
    ['valle/sur/x', node('valle/sur/x', 2, 300)],
  ]),
  root: 'valle',
  devices: new Map([
    ['a', { id: 'a', node: 'valle/sur/x', secretHash: 'h' }],
    ['b', { id: 'b', node: 'valle/sur/x', secretHash: 'h' }],
  ]),
  users: new Map([['planner', { name: 'planner', role: 'planner', scope: 'valle', passwordHash: 'h' }]]),
};

describe('formatSeconds', () => {
  it('writes durations in hours, minutes and seconds', () => {
    expect(formatSeconds(300)).toBe('5 min');
    expect(formatSeconds(14400)).toBe('4 h');
    expect(formatSeconds(5400)).toBe('1 h 30 min');
    expect(formatSeconds(61)).toBe('1 min 1 s');
    expect(formatSeconds(45)).toBe('45 s');
    expect(formatSeconds(0.5)).toBe('0.5 s');
  });
});

describe('summarizeModel', () => {
  it('counts nodes per level with their correction windows, naming unnamed levels by depth', () => {
    const lines = summarizeModel(MODEL);
    expect(lines[0]).toBe('model "Valle": 4 nodes in 3 levels, root "valle"');
    expect(lines).toContain('  region: 1 node, correction window 4 h');
    expect(lines).toContain('  council: 2 nodes, correction windows 30 min to 1 h');
    expect(lines).toContain('  depth 2: 1 node, correction window 5 min');
  });

  it('lists indicators with unit, roll-up and where levels are fixed', () => {
    const lines = summarizeModel(MODEL);
    expect(lines).toContain('2 indicators');
    expect(lines).toContain('  output (Production output) [units/h], roll-up sum, capability/potentiality on 1 node');
    expect(lines).toContain('  defect_rate (Defect rate) [%], roll-up weighted_mean by members');
  });

  it('says which levels an indicator learns', () => {
    const output = { ...MODEL.indicators[0]!, learn: { capability: { percentile: 95, windowDays: 28 } } };
    expect(summarizeModel({ ...MODEL, indicators: [output] })).toContain(
      '  output (Production output) [units/h], roll-up sum, capability/potentiality on 1 node, ' +
        'capability learned at every node without its own',
    );
  });

  it('counts devices and the nodes they are bound to, and lists users with role and scope', () => {
    const lines = summarizeModel(MODEL);
    expect(lines).toContain('2 devices bound to 1 node');
    expect(lines).toContain('1 user');
    expect(lines).toContain('  planner: planner, scope valle');
  });
});
