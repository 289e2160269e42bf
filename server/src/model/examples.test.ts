import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_WORKSHOP_METRICS } from '@opsroom/edge-agent';
import { verifySecretAsync } from '../auth/hash.js';
import { effectiveLevels } from '../vsm/levels.js';
import { loadModelFile } from './load-model.js';

// The example organisations in models/examples must always load: `opsroom demo` and the
// integration tests run on them.
const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models/examples');

interface DemoCredentials {
  users: Record<string, string>;
  devices: Record<string, string>;
}

describe('models/examples/valle.yaml', () => {
  it('is a four-level organisation with at least 12 workshops, one PLC on each', async () => {
    const m = await loadModelFile(join(EXAMPLES, 'valle.yaml'));
    expect(m.levels).toEqual(['region', 'council', 'cooperative', 'workshop']);
    const at = (depth: number) => [...m.nodes.values()].filter((n) => n.depth === depth);
    expect(at(0).map((n) => n.path)).toEqual(['valle']);
    expect(at(1)).toHaveLength(2);
    expect(at(2)).toHaveLength(4);
    const workshops = at(3);
    expect(workshops.length).toBeGreaterThanOrEqual(12);
    for (const w of workshops) {
      expect(m.devices.get(`${w.id}-plc`)?.node).toBe(w.path);
      expect(w.levels['output']).toEqual({ capability: expect.any(Number), potentiality: expect.any(Number) });
      expect(w.weights['members']).toBeGreaterThan(0);
    }
    expect(m.nodes.get('valle/norte/lana/taller-1')).toBeDefined();
    expect(m.devices.size).toBe(workshops.length);
  });

  it('has the six indicators with their roll-up rules', async () => {
    const m = await loadModelFile(join(EXAMPLES, 'valle.yaml'));
    expect(m.indicators.map((i) => [i.id, i.unit, i.rollup, i.weight])).toEqual([
      ['output', 'units/h', 'sum', undefined],
      ['energy', 'kWh', 'sum', undefined],
      ['water', 'm3', 'sum', undefined],
      ['labour', 'h', 'sum', undefined],
      ['defect_rate', '%', 'weighted_mean', 'members'],
      ['temperature', '°C', 'max', undefined],
    ]);
  });

  it('gives parents the sums of their children’s output capability and potentiality', async () => {
    const m = await loadModelFile(join(EXAMPLES, 'valle.yaml'));
    for (const n of m.nodes.values()) {
      if (n.children.length === 0) continue;
      const kids = n.children.map((c) => m.nodes.get(c)!.levels['output']!);
      expect(n.levels['output']!.capability).toBe(kids.reduce((s, k) => s + k.capability!, 0));
      expect(n.levels['output']!.potentiality).toBe(kids.reduce((s, k) => s + k.potentiality!, 0));
    }
  });

  it('has an admin and a planner at the root, a user per council and one for a cooperative', async () => {
    const m = await loadModelFile(join(EXAMPLES, 'valle.yaml'));
    expect(m.users.get('admin')).toMatchObject({ role: 'admin', scope: 'valle' });
    expect(m.users.get('planner')).toMatchObject({ role: 'planner', scope: 'valle' });
    expect(m.users.get('council-norte')).toMatchObject({ role: 'council', scope: 'valle/norte' });
    expect(m.users.get('council-sur')).toMatchObject({ role: 'council', scope: 'valle/sur' });
    expect([...m.users.values()].some((u) => m.nodes.get(u.scope)?.level === 'cooperative')).toBe(true);
  });
});

describe('models/examples/campo.yaml', () => {
  it('is a four-level farm network with at least 12 farms in 3 comarcas, one PLC on each', async () => {
    const m = await loadModelFile(join(EXAMPLES, 'campo.yaml'));
    expect(m.levels).toEqual(['region', 'comarca', 'cooperative', 'farm']);
    const at = (depth: number) => [...m.nodes.values()].filter((n) => n.depth === depth);
    expect(at(0).map((n) => n.path)).toEqual(['campo']);
    expect(at(1).map((n) => n.id)).toEqual(['vega', 'sierra', 'llanura']);
    const farms = at(3);
    expect(farms.length).toBeGreaterThanOrEqual(12);
    expect(farms.every((f) => f.level === 'farm' && f.children.length === 0)).toBe(true);
    for (const f of farms) {
      expect(m.devices.get(`${f.id}-plc`)?.node).toBe(f.path);
      const { capability, potentiality } = f.levels['output']!;
      expect(capability).toBeGreaterThan(0);
      expect(potentiality).toBeGreaterThan(capability!);
    }
    expect(m.devices.size).toBe(farms.length);
  });

  it('has milk, feed, energy, water, labour, animal health and barn temperature with their units', async () => {
    const m = await loadModelFile(join(EXAMPLES, 'campo.yaml'));
    expect(m.indicators.map((i) => [i.id, i.unit, i.rollup, i.weight])).toEqual([
      ['output', 'L/h', 'sum', undefined],
      ['feed', 'kg/h', 'sum', undefined],
      ['energy', 'kWh', 'sum', undefined],
      ['water', 'm3', 'sum', undefined],
      ['labour', 'h', 'sum', undefined],
      ['defect_rate', '%', 'weighted_mean', 'cows'],
      ['temperature', '°C', 'max', undefined],
    ]);
  });

  it('weighs every node by its herd: a parent’s cows are the sum of its children’s', async () => {
    const m = await loadModelFile(join(EXAMPLES, 'campo.yaml'));
    for (const n of m.nodes.values()) {
      expect(n.weights['cows']).toBeGreaterThan(0);
      if (n.children.length)
        expect(n.weights['cows']).toBe(n.children.reduce((s, c) => s + m.nodes.get(c)!.weights['cows']!, 0));
    }
  });

  it('fixes capability and potentiality at the farms only, and parents derive theirs by the roll-up', async () => {
    const m = await loadModelFile(join(EXAMPLES, 'campo.yaml'));
    const farms = [...m.nodes.values()].filter((n) => n.children.length === 0);
    for (const n of m.nodes.values()) if (n.children.length) expect(n.levels).toEqual({});
    const root = effectiveLevels(m).get('campo')!.get('output')!;
    expect(root.capability).toBe(farms.reduce((s, f) => s + f.levels['output']!.capability!, 0));
    expect(root.potentiality).toBe(farms.reduce((s, f) => s + f.levels['output']!.potentiality!, 0));
  });

  it('has an admin and a planner at the root, a planner and a council per comarca, and one cooperative user', async () => {
    const m = await loadModelFile(join(EXAMPLES, 'campo.yaml'));
    expect(m.users.get('admin')).toMatchObject({ role: 'admin', scope: 'campo' });
    expect(m.users.get('planner')).toMatchObject({ role: 'planner', scope: 'campo' });
    for (const c of ['vega', 'sierra', 'llanura']) {
      expect(m.users.get(`planner-${c}`)).toMatchObject({ role: 'planner', scope: `campo/${c}` });
      expect(m.users.get(`council-${c}`)).toMatchObject({ role: 'council', scope: `campo/${c}` });
    }
    expect(m.users.get('coop-mieses')).toMatchObject({ role: 'council', scope: 'campo/llanura/mieses' });
  });
});

describe.each(['valle', 'campo'])('models/examples/%s.yaml with the demo', (name) => {
  it('hashes exactly the demo credentials listed beside it (user <name>-demo, device demo-<id>)', async () => {
    const m = await loadModelFile(join(EXAMPLES, `${name}.yaml`));
    const creds = JSON.parse(
      readFileSync(join(EXAMPLES, `${name}.demo-credentials.json`), 'utf8'),
    ) as DemoCredentials & { _demo_only: string };
    expect(creds._demo_only).toMatch(/^DEMO ONLY/);
    expect(Object.keys(creds.users).sort()).toEqual([...m.users.keys()].sort());
    expect(Object.keys(creds.devices).sort()).toEqual([...m.devices.keys()].sort());
    for (const [u, pw] of Object.entries(creds.users)) expect(pw).toBe(`${u}-demo`);
    for (const [d, secret] of Object.entries(creds.devices)) expect(secret).toBe(`demo-${d}`);
    const checks = [
      ...Object.entries(creds.users).map(([u, pw]) => verifySecretAsync(pw, m.users.get(u)!.passwordHash)),
      ...Object.entries(creds.devices).map(([id, s]) => verifySecretAsync(s, m.devices.get(id)!.secretHash)),
    ];
    expect(await Promise.all(checks)).toEqual(checks.map(() => true));
  });

  it('has an indicator for every metric the simulated edge agents publish', async () => {
    const m = await loadModelFile(join(EXAMPLES, `${name}.yaml`));
    const ids = m.indicators.map((i) => i.id);
    for (const metric of Object.keys(DEMO_WORKSHOP_METRICS)) expect(ids).toContain(metric);
  });
});

describe('models/examples/minimal.yaml', () => {
  it('is a two-level model that loads', async () => {
    const m = await loadModelFile(join(EXAMPLES, 'minimal.yaml'));
    expect(m.levels).toEqual(['site', 'workshop']);
    expect(Math.max(...[...m.nodes.values()].map((n) => n.depth))).toBe(1);
    expect(m.devices.get('press-plc')?.node).toBe('site/press');
  });
});
