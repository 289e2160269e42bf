import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '@opsroom/models';
import { hashSecret, verifySecret } from '../auth/hash.js';
import { loadModelFile, parseModel } from './load-model.js';
import { ModelFileError } from './problems.js';

const HASH = hashSecret('demo');

const TEXT = `
name: Valle
levels: [region, council, workshop]
correction_windows:
  workshop: 300
  1: 3600
indicators:
  - id: output
    name: Production output
    unit: units/h
    rollup: sum
  - id: defect_rate
    unit: "%"
    rollup: weighted_mean
    weight: members
nodes:
  - id: valle
    levels: { output: { capability: 200, potentiality: 260 } }
    children:
      - id: norte
        name: Consejo Norte
        correction_window: 1800
        children:
          - id: taller-1
            weights: { members: 12 }
            levels:
              output: { capability: 120, potentiality: 150 }
          - id: taller-2
            weights: { members: 4 }
      - id: sur
devices:
  - id: taller-1-plc
    node: valle/norte/taller-1
    secret_hash: "${HASH}"
users:
  - name: planner
    display_name: Regional planner
    role: planner
    scope: valle
    password_hash: "${HASH}"
`;

function load(text = TEXT): Model {
  const { model, problems } = parseModel(text, 'valle.yaml');
  expect(problems).toEqual([]);
  return model!;
}

describe('parseModel on a good file', () => {
  it('returns the model and no problems', () => {
    const { model, problems } = parseModel(TEXT, 'valle.yaml');
    expect(problems).toEqual([]);
    expect(model?.name).toBe('Valle');
    expect(model?.root).toBe('valle');
    expect(model?.levels).toEqual(['region', 'council', 'workshop']);
  });

  it('addresses nodes by path and lists them depth-first from the root', () => {
    expect([...load().nodes.keys()]).toEqual([
      'valle',
      'valle/norte',
      'valle/norte/taller-1',
      'valle/norte/taller-2',
      'valle/sur',
    ]);
  });

  it('links parents and children by path, with depth and level name', () => {
    const m = load();
    expect(m.nodes.get('valle')).toMatchObject({
      id: 'valle',
      name: 'valle',
      depth: 0,
      level: 'region',
      children: ['valle/norte', 'valle/sur'],
    });
    expect(m.nodes.get('valle')!.parent).toBeUndefined();
    expect(m.nodes.get('valle/norte')).toMatchObject({
      name: 'Consejo Norte',
      depth: 1,
      level: 'council',
      parent: 'valle',
    });
    expect(m.nodes.get('valle/norte/taller-1')).toMatchObject({
      depth: 2,
      level: 'workshop',
      parent: 'valle/norte',
      children: [],
    });
  });

  it('leaves the level name out below the named levels', () => {
    const m = load(
      TEXT.replace('levels: [region, council, workshop]', 'levels: [region]').replace(
        '  workshop: 300\n',
        '  2: 300\n',
      ),
    );
    expect(m.nodes.get('valle')!.level).toBe('region');
    expect(m.nodes.get('valle/norte')!.level).toBeUndefined();
  });

  it('takes each correction window from the node, else its level (by name or depth), else 900 s', () => {
    const m = load();
    expect(m.nodes.get('valle')!.correctionWindowSec).toBe(900); // region: not given
    expect(m.nodes.get('valle/sur')!.correctionWindowSec).toBe(3600); // depth 1
    expect(m.nodes.get('valle/norte')!.correctionWindowSec).toBe(1800); // node override
    expect(m.nodes.get('valle/norte/taller-1')!.correctionWindowSec).toBe(300); // workshop
  });

  it('keeps weights and fixed capability/potentiality per node', () => {
    const m = load();
    expect(m.nodes.get('valle/norte/taller-1')!.weights).toEqual({ members: 12 });
    expect(m.nodes.get('valle/norte/taller-1')!.levels).toEqual({ output: { capability: 120, potentiality: 150 } });
    expect(m.nodes.get('valle/sur')!.weights).toEqual({});
    expect(m.nodes.get('valle/sur')!.levels).toEqual({});
  });

  it('reads learned capability and potentiality on an indicator and per node, with default and given rules', () => {
    const m = load(
      TEXT.replace(
        '    rollup: sum\n',
        '    rollup: sum\n    capability: learned\n    potentiality: { learn: { window_days: 90 } }\n',
      )
        .replace(
          'output: { capability: 120, potentiality: 150 }',
          'output: { capability: { learn: { percentile: 90, window_days: 14 }, fallback: 100 }, potentiality: 150 }',
        )
        .replace('      - id: sur', '      - id: sur\n        levels: { output: { capability: learned } }'),
    );
    expect(m.indicators[0]!.learn).toEqual({
      capability: { percentile: 95, windowDays: 28 },
      potentiality: { percentile: 99, windowDays: 90 },
    });
    expect(m.indicators[1]!.learn).toBeUndefined();
    expect(m.nodes.get('valle/norte/taller-1')!.levels).toEqual({
      output: { potentiality: 150, learn: { capability: { percentile: 90, windowDays: 14, fallback: 100 } } },
    });
    expect(m.nodes.get('valle/sur')!.levels).toEqual({
      output: { learn: { capability: { percentile: 95, windowDays: 28 } } },
    });
    expect(m.nodes.get('valle')!.levels).toEqual({ output: { capability: 200, potentiality: 260 } });
  });

  it('defaults an indicator name to its id and keeps the weight of a weighted mean', () => {
    expect(load().indicators).toEqual([
      { id: 'output', name: 'Production output', unit: 'units/h', rollup: 'sum' },
      { id: 'defect_rate', name: 'defect_rate', unit: '%', rollup: 'weighted_mean', weight: 'members' },
    ]);
  });

  it('binds devices to nodes and keeps users with their role, scope and hashes', () => {
    const m = load();
    expect(m.devices.get('taller-1-plc')).toEqual({
      id: 'taller-1-plc',
      node: 'valle/norte/taller-1',
      secretHash: HASH,
    });
    expect(m.users.get('planner')).toEqual({
      name: 'planner',
      displayName: 'Regional planner',
      role: 'planner',
      scope: 'valle',
      passwordHash: HASH,
    });
    expect(verifySecret('demo', m.users.get('planner')!.passwordHash)).toBe(true);
  });

  it('treats indicators, devices and users as optional', () => {
    const m = load('name: Tiny\nnodes:\n  - id: only\n');
    expect(m.indicators).toEqual([]);
    expect(m.devices.size).toBe(0);
    expect(m.users.size).toBe(0);
    expect(m.levels).toEqual([]);
    expect(m.nodes.get('only')!.correctionWindowSec).toBe(900);
  });

  it('follows aliases to anchored values', () => {
    const m = load(
      'name: A\nnodes:\n  - id: root\n    weights: &w { members: 3 }\n    children:\n      - id: kid\n        weights: *w\n',
    );
    expect(m.nodes.get('root/kid')!.weights).toEqual({ members: 3 });
  });
});

describe('loadModelFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-model-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and parses a file', async () => {
    const file = join(dir, 'good.yaml');
    writeFileSync(file, TEXT);
    const m = await loadModelFile(file);
    expect(m.nodes.size).toBe(5);
  });

  it('throws a ModelFileError whose message lists every problem', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: Bad\nnodes:\n  - id: a/b\n    nmae: x\n');
    const err = await loadModelFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    const e = err as ModelFileError;
    expect(e.code).toBe('OPS_ERR_MODEL_FILE');
    expect(e.problems).toHaveLength(2);
    expect(e.message).toContain('has 2 problems');
    expect(e.message).toContain(`${file}:3:9  nodes[0].id  "a/b" is not a valid node id`);
    expect(e.message).toContain(`${file}:4:5  nodes[0].nmae  unknown key "nmae" in a node; did you mean "name"?`);
  });

  it('throws a ModelFileError saying what to check when the file cannot be read', async () => {
    const file = join(dir, 'missing.yaml');
    const err = (await loadModelFile(file).catch((e: unknown) => e)) as ModelFileError;
    expect(err).toBeInstanceOf(ModelFileError);
    expect(err.problems[0]).toMatchObject({ file, line: 0, column: 0 });
    expect(err.message).toContain('there is no such file; check the path given to --model');
  });
});
