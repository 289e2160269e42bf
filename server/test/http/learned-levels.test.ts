// Issue 20 point 3: capability learned from history. The real server (in-process, loopback, the embedded store)
// starts on a data directory that already holds three days of a workshop's readings: GET /api/latest and
// GET /api/model give the capability the model says to learn (the 95th percentile of the hourly means), say it is
// `learned`, and Beer's indices follow from it; a workshop with too little history keeps the model's fallback
// (`set`), and their parent rolls both up (`learned`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IndicatorUpdate, ModelView } from '@opsroom/models';
import { hashSecret } from '../../src/auth/hash.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { getJson, login, startTestServer } from '../support/demo-fixture.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const PLANNER = { name: 'planner', password: 'planner-test-password' };
const HASH = hashSecret('device-test-secret');

const MODEL = `name: Learned levels
levels: [site, area, workshop]
indicators:
  - id: output
    unit: units/h
    rollup: sum
nodes:
  - id: site
    children:
      - id: area
        children:
          - id: press
            levels: { output: { capability: learned, potentiality: 200 } }
          - id: lathe
            levels: { output: { capability: { learn: { percentile: 95, window_days: 7 }, fallback: 80 } } }
devices:
  - id: press-plc
    node: site/area/press
    secret_hash: "${HASH}"
  - id: lathe-plc
    node: site/area/lathe
    secret_hash: "${HASH}"
users:
  - name: ${PLANNER.name}
    role: planner
    scope: site
    password_hash: "${hashSecret(PLANNER.password)}"
`;

describe('a capability learned from stored history', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-learned-'));
  const dataDir = join(dir, 'data');
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let token: string;

  beforeAll(async () => {
    const model = join(dir, 'model.yaml');
    writeFileSync(model, MODEL);
    const now = Date.now();
    const seed = SqliteStore.open(dataDir);
    const reading = (node: string, ts: number, value: number) => ({
      node: `site/area/${node}`,
      metric: 'output',
      deviceId: `${node}-plc`,
      ts,
      value,
    });
    // The press: a reading every 15 min for 3 days at 50, but two hours of 1,000 (a spike the percentile
    // leaves out), then its latest, 40, just now. The lathe: 10 hours only (a day is needed), latest 20.
    // The spike hours are clock hours (the hour tier's buckets): unaligned, each would spread over two buckets,
    // four hours of 72 (over 5 %) would be raised, and the 95th percentile would depend on the minute of the run.
    const start = Math.floor(now / HOUR) * HOUR - 72 * HOUR;
    const points = [];
    for (let k = 0; k < 72 * 4; k++) {
      const hour = Math.floor(k / 4);
      points.push(reading('press', start + k * 15 * MIN, hour === 10 || hour === 20 ? 1_000 : 50));
    }
    for (let k = 0; k < 10 * 4; k++) points.push(reading('lathe', now - 10 * HOUR + k * 15 * MIN, 20));
    points.push(reading('press', now - 2_000, 40), reading('lathe', now - 2_000, 20));
    await seed.writeBatch(points);
    await seed.close();
    server = await startTestServer({ dataDir, model });
    token = await login(server.httpUrl, PLANNER.name, PLANNER.password);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves it in GET /api/latest as learned, with the productivity it gives', async () => {
    expect(server.components).toContain('level learner');
    const { status, body } = await getJson<IndicatorUpdate[]>(server.httpUrl, '/api/latest', token);
    expect(status).toBe(200);
    const at = (node: string) => body.find((u) => u.node === node && u.indicator === 'output')!;
    expect(at('site/area/press')).toMatchObject({
      value: 40,
      capability: 50,
      capabilitySource: 'learned',
      potentiality: 200,
      potentialitySource: 'set',
      productivity: 40 / 50,
      latency: 50 / 200,
      performance: 40 / 200,
    });
    // Too little history: the model's fallback, said to be set.
    expect(at('site/area/lathe')).toMatchObject({
      value: 20,
      capability: 80,
      capabilitySource: 'set',
      productivity: 20 / 80,
    });
    expect(at('site/area/lathe').potentialitySource).toBeUndefined();
    expect(at('site/area/lathe').latency).toBeNull();
    // Their parent rolls them up (sum): learned, as one of them is.
    expect(at('site/area')).toMatchObject({
      value: 60,
      capability: 130,
      capabilitySource: 'learned',
      productivity: 60 / 130,
    });
  });

  it('learns again by the new rule when the model file is edited', async () => {
    const file = join(dir, 'model.yaml');
    // The 100th percentile over 3 days: the two hours of 1,000 now count.
    writeFileSync(file, MODEL.replace('capability: learned,', 'capability: { learn: { percentile: 100 } },'));
    let press: IndicatorUpdate | undefined;
    for (let i = 0; i < 100; i++) {
      const { body } = await getJson<IndicatorUpdate[]>(server.httpUrl, '/api/latest', token);
      press = body.find((u) => u.node === 'site/area/press');
      if (press?.capability === 1_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(press).toMatchObject({ capability: 1_000, capabilitySource: 'learned', productivity: 40 / 1_000 });
    writeFileSync(file, MODEL);
    for (let i = 0; i < 100; i++) {
      const { body } = await getJson<IndicatorUpdate[]>(server.httpUrl, '/api/latest', token);
      press = body.find((u) => u.node === 'site/area/press');
      if (press?.capability === 50) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(press).toMatchObject({ capability: 50, capabilitySource: 'learned' });
  }, 30_000);

  it('gives the same in the node views of GET /api/model, beside the rules the model file holds', async () => {
    const { body } = await getJson<ModelView>(server.httpUrl, '/api/model', token);
    const press = body.nodes.find((n) => n.path === 'site/area/press')!;
    expect(press.levels).toEqual({
      output: { potentiality: 200, learn: { capability: { percentile: 95, windowDays: 28 } } },
    });
    expect(press.values?.find((u) => u.indicator === 'output')).toMatchObject({
      capability: 50,
      capabilitySource: 'learned',
      productivity: 0.8,
    });
  });
});
