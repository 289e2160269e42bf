import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IndicatorUpdate, ModelView } from '@opsroom/models';
import { hashSecret } from '../../src/auth/hash.js';
import { startOpsroom, type RunningOpsroom } from '../../src/start.js';
import { getJson, login } from '../support/demo-fixture.js';
import { federatedModelText } from '../support/federated-model.js';
import { eventually, publishLanaBurst } from '../support/federation-kit.js';

/**
 * Issue 19 point 3 at any depth: the workshop `lana` runs on a server of its own below the council `norte`'s, which is
 * below the region's. A planner on the region drills down into lana: the region asks norte, norte asks lana, and the
 * answer comes back up the same way, inside the planner's scope.
 */
const SECRET = 'deep-secret';

function modelText(): string {
  const h = hashSecret(SECRET);
  return federatedModelText(
    hashSecret('demo'),
    [
      'servers:',
      '  - { id: region, owns: [valle] }',
      `  - { id: norte, owns: [valle/norte], parent: region, secret_hash: "${h}" }`,
      `  - { id: lana, owns: [valle/norte/lana], parent: norte, secret_hash: "${h}" }`,
    ].join('\n'),
    { users: [['cen', 'council', 'valle/centro']] },
  );
}

describe('drill-down through two servers (issue 19 point 3, a deeper tree)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-deep-'));
  const model = join(dir, 'valle.yaml');
  writeFileSync(model, modelText());
  const servers: RunningOpsroom[] = [];
  let boss: string;
  const t0 = Date.now();
  const latestAtRegion = () =>
    getJson<IndicatorUpdate[]>(servers[0]!.httpUrl, '/api/latest?node=valle/norte/lana', boss);

  beforeAll(async () => {
    const base = { model, host: '127.0.0.1', httpPort: 0, mqttPort: 0, logger: false as const };
    const region = await startOpsroom({ ...base, serverId: 'region', dataDir: join(dir, 'region') });
    servers.push(region);
    const norte = await startOpsroom({
      ...base,
      serverId: 'norte',
      dataDir: join(dir, 'norte'),
      uplinkUrl: region.linkUrl!,
      uplinkSecret: SECRET,
    });
    servers.push(norte);
    const lana = await startOpsroom({
      ...base,
      serverId: 'lana',
      dataDir: join(dir, 'lana'),
      uplinkUrl: norte.linkUrl!,
      uplinkSecret: SECRET,
    });
    servers.push(lana);
    await publishLanaBurst(lana.mqttUrl, t0);
    boss = await login(region.httpUrl, 'boss', 'demo');
    // both links are up once the region's question reaches lana and lana holds the burst's last value
    await eventually(latestAtRegion, (r) => r.status === 200 && r.body.some((u) => u.value === 44));
  }, 40_000);
  afterAll(async () => {
    for (const s of servers.reverse()) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers the workshop's indicators and history from the server that runs it, two links down", async () => {
    const latest = await latestAtRegion();
    expect(latest.status).toBe(200);
    expect(latest.body.map((u) => [u.node, u.indicator, u.value])).toEqual([['valle/norte/lana', 'output', 44]]);
    const history = await getJson<{ node: string; points: Array<{ value: number }> }>(
      servers[0]!.httpUrl,
      `/api/history?node=valle/norte/lana&indicator=output&from=${t0 - 10_000}&to=${t0 + 1000}`,
      boss,
    );
    expect(history.status).toBe(200);
    expect(history.body.points.map((p) => p.value)).toEqual([40, 41, 42, 43, 44]);
    // the council's server answers the same question for its own planner's view of its part
    const ana = await login(servers[1]!.httpUrl, 'ana', 'demo');
    const atNorte = await getJson<IndicatorUpdate[]>(servers[1]!.httpUrl, '/api/latest?node=valle/norte/lana', ana);
    expect(atNorte.body.map((u) => u.value)).toEqual([44]);
  });

  it('shows the whole tree at the region, each node marked with the server that runs it, with the deep values', async () => {
    const { status, body } = await getJson<ModelView>(servers[0]!.httpUrl, '/api/model', boss);
    expect(status).toBe(200);
    const byPath = new Map(body.nodes.map((n) => [n.path, n]));
    expect(byPath.get('valle/norte')!.server).toBe('norte');
    expect(byPath.get('valle/norte/telar')!.server).toBe('norte');
    expect(byPath.get('valle/norte/lana')!.server).toBe('lana');
    expect(byPath.get('valle/sur')!.server).toBeUndefined(); // the region runs sur in this model
    expect(byPath.get('valle/norte/lana')!.values!.find((v) => v.indicator === 'output')!.value).toBe(44);
    expect(body.unreachable).toBeUndefined();
  });

  it('keeps scope and says 404 for what is not there, at any depth', async () => {
    const cen = await login(servers[0]!.httpUrl, 'cen', 'demo');
    expect((await getJson(servers[0]!.httpUrl, '/api/latest?node=valle/norte/lana', cen)).status).toBe(404);
    expect((await getJson(servers[0]!.httpUrl, '/api/latest?node=valle/norte/lana/nope', boss)).status).toBe(404);
  });

  it('says 503 when the server two links down is gone, and the region lists the child it could not complete', async () => {
    await servers[2]!.close();
    const r = await getJson<{ code: string }>(servers[0]!.httpUrl, '/api/latest?node=valle/norte/lana', boss);
    expect(r.status).toBe(503);
    expect(r.body.code).toBe('OPS_ERR_SERVER_UNREACHABLE');
  }, 20_000);
});
