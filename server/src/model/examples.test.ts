import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifySecretAsync } from '../auth/hash.js';
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

  it('hashes exactly the demo credentials listed beside it', async () => {
    const m = await loadModelFile(join(EXAMPLES, 'valle.yaml'));
    const creds = JSON.parse(readFileSync(join(EXAMPLES, 'valle.demo-credentials.json'), 'utf8')) as DemoCredentials;
    expect(Object.keys(creds.users).sort()).toEqual([...m.users.keys()].sort());
    expect(Object.keys(creds.devices).sort()).toEqual([...m.devices.keys()].sort());
    expect(creds.users['planner']).toBe('planner-demo');
    expect(creds.devices['taller-1-plc']).toBe('demo-taller-1-plc');
    const checks = [
      ...Object.entries(creds.users).map(([name, pw]) => verifySecretAsync(pw, m.users.get(name)!.passwordHash)),
      ...Object.entries(creds.devices).map(([id, s]) => verifySecretAsync(s, m.devices.get(id)!.secretHash)),
    ];
    expect(await Promise.all(checks)).toEqual(checks.map(() => true));
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
