import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IndicatorUpdate, ModelView } from '@opsroom/models';
import { hashSecret } from '../../src/auth/hash.js';
import type { RunningOpsroom } from '../../src/start.js';
import { getJson, login } from '../support/demo-fixture.js';
import { federatedModelText, linkedServers } from '../support/federated-model.js';
import { eventually, publishLanaBurst, startRegionAndNorte } from '../support/federation-kit.js';

/**
 * Issue 19 point 3: a planner on the region's server drills down into a council's subtree — the tree, a workshop's
 * indicators, its history — answered by the council's server through the region's, under the planner's scope; a
 * council user on the council's own server sees what it saw before; a council that cannot be reached is said so.
 */
const SECRET = 'drill-secret';

function modelText(hash: string, serverHash: string): string {
  return federatedModelText(hash, linkedServers(serverHash, ['norte']), {
    users: [['cen', 'council', 'valle/centro']],
  });
}

describe('drill-down through the region server (issue 19 point 3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-drill-'));
  const model = join(dir, 'valle.yaml');
  writeFileSync(model, modelText(hashSecret('demo'), hashSecret(SECRET)));
  let region: RunningOpsroom;
  let norte: RunningOpsroom | undefined;
  let boss: string;
  const t0 = Date.now();

  beforeAll(async () => {
    // the default roll-up period (60 s): the workshop's one burst of readings stays fresh (not stale, so valued) meanwhile
    ({ region, norte } = await startRegionAndNorte({ dir, model, secret: SECRET }));
    await publishLanaBurst(norte.mqttUrl, t0);
    boss = await login(region.httpUrl, 'boss', 'demo');
    // the link is up once the region can ask, and the burst is in once the council's live model holds its last value
    await eventually(
      () => getJson<IndicatorUpdate[]>(region.httpUrl, '/api/latest?node=valle/norte/lana', boss),
      (r) => r.status === 200 && r.body.some((u) => u.indicator === 'output' && u.value === 44),
    );
  }, 30_000);
  afterAll(async () => {
    await norte?.close();
    await region?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows the planner the council's subtree, each of its nodes marked with the server that runs it, with values", async () => {
    const { status, body } = await getJson<ModelView>(region.httpUrl, '/api/model', boss);
    expect(status).toBe(200);
    const byPath = new Map(body.nodes.map((n) => [n.path, n]));
    expect([...byPath.keys()]).toEqual([
      'valle',
      'valle/norte',
      'valle/norte/lana',
      'valle/norte/telar',
      'valle/sur',
      'valle/sur/cobre',
      'valle/centro',
    ]);
    expect(byPath.get('valle/sur/cobre')!.server).toBeUndefined(); // the region runs sur in this model
    expect(byPath.get('valle/norte/lana')!.server).toBe('norte');
    expect(byPath.get('valle/norte')!.server).toBe('norte');
    expect(byPath.get('valle/centro')!.server).toBeUndefined();
    expect(byPath.get('valle/norte/lana')!.values!.find((v) => v.indicator === 'output')!.value).toBe(44);
    expect(body.unreachable).toBeUndefined();
  });

  it("answers a workshop's indicators and history from the council's server", async () => {
    const latest = await getJson<IndicatorUpdate[]>(region.httpUrl, '/api/latest?node=valle/norte/lana', boss);
    expect(latest.status).toBe(200);
    expect(latest.body.map((u) => [u.node, u.indicator, u.value])).toEqual([['valle/norte/lana', 'output', 44]]);
    const history = await getJson<{ node: string; points: Array<{ ts: number; value: number }> }>(
      region.httpUrl,
      `/api/history?node=valle/norte/lana&indicator=output&from=${t0 - 10_000}&to=${t0 + 1000}`,
      boss,
    );
    expect(history.status).toBe(200);
    expect(history.body.node).toBe('valle/norte/lana');
    expect(history.body.points.map((p) => p.value)).toEqual([40, 41, 42, 43, 44]);
    const csv = await fetch(
      `${region.httpUrl}/api/history?node=valle/norte/lana&indicator=output&from=${t0 - 10_000}&to=${t0 + 1000}&format=csv`,
      { headers: { authorization: `Bearer ${boss}` } },
    );
    expect(csv.status).toBe(200);
    expect((await csv.text()).trim().split('\n')).toHaveLength(6);
  });

  it("keeps scope: a region user elsewhere gets 404 for the council's nodes; the council user sees her own tree", async () => {
    const cen = await login(region.httpUrl, 'cen', 'demo');
    for (const path of ['/api/latest?node=valle/norte/lana', '/api/history?node=valle/norte/lana&indicator=output'])
      expect((await getJson(region.httpUrl, path, cen)).status).toBe(404);
    const cenView = await getJson<ModelView>(region.httpUrl, '/api/model', cen);
    expect(cenView.body.nodes.map((n) => n.path)).toEqual(['valle/centro']);
    const ana = await login(norte!.httpUrl, 'ana', 'demo');
    const own = await getJson<ModelView>(norte!.httpUrl, '/api/model?values=false', ana);
    expect(own.body.nodes.map((n) => n.path)).toEqual(['valle/norte', 'valle/norte/lana', 'valle/norte/telar']);
    expect(own.body.nodes.every((n) => n.server === undefined)).toBe(true);
    // an unknown node under the council is still a plain 404
    expect((await getJson(region.httpUrl, '/api/latest?node=valle/norte/nope', boss)).status).toBe(404);
  });

  it('says on /healthz and /metrics how the links stand, without a name, and stays healthy', async () => {
    const health = async (url: string) =>
      ((await (await fetch(`${url}/healthz`)).json()) as { status: string; components: Record<string, unknown> })
        .components.federation;
    expect(await health(region.httpUrl)).toEqual({
      ok: true,
      detail: '1 of 1 child servers linked; 0 messages waiting in the outbox',
    });
    expect(await health(norte!.httpUrl)).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^uplink to the parent server connected; \d+ messages waiting in the outbox$/),
    });
    const metrics = await (await fetch(`${region.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^opsroom_federation_links_connected 1$/m);
    expect(metrics).toMatch(/^opsroom_federation_outbox_messages 0$/m);
  });

  it('says when the council cannot be reached: 503 for its nodes, the tree without its values', async () => {
    await norte!.close();
    norte = undefined;
    const latest = await eventually(
      () => getJson<{ code: string }>(region.httpUrl, '/api/latest?node=valle/norte/lana', boss),
      (r) => r.status !== 200,
    );
    expect(latest.status).toBe(503);
    expect(latest.body.code).toBe('OPS_ERR_SERVER_UNREACHABLE');
    const view = await getJson<ModelView>(region.httpUrl, '/api/model', boss);
    expect(view.status).toBe(200);
    expect(view.body.unreachable).toEqual(['norte']);
    expect(view.body.nodes.find((n) => n.path === 'valle/norte/lana')!.values).toEqual([]);
    const healthz = await fetch(`${region.httpUrl}/healthz`);
    expect(healthz.status).toBe(200); // a council away does not make the region unhealthy
    expect(
      ((await healthz.json()) as { components: { federation: { detail: string } } }).components.federation.detail,
    ).toMatch(/^0 of 1 child servers linked/);
  });
});
