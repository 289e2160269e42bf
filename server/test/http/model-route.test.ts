import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import type { IndicatorUpdate, ModelView } from '@opsroom/models';
import type { SessionUser } from '../../src/auth/sessions.js';
import { build } from '../../src/http/app.js';
import type { AppServices } from '../../src/http/services.js';
import { tinyModel } from '../support/tiny-model.js';
import type { StreamingDetector } from '../../src/vsm/detectors/detector.js';
import { LiveModel } from '../../src/vsm/live-model.js';

const NOW = 1_700_000_000_000;
/** The live model's clock (the HTTP services' stays at NOW). */
const clock = { t: NOW };
const quiet = (): StreamingDetector => ({
  update: () => ({ score: 0, kind: 'none', probability: 1, forecast: null, alert: false, learning: false }),
  snapshot: () => ({ type: 'quiet', version: 1 }),
});
const USERS: Record<string, SessionUser> = {
  'tok-boss': { name: 'boss', role: 'planner', scope: 'r' },
  'tok-b': { name: 'council-b', role: 'council', scope: 'r/b' },
};

// GET /api/model over real HTTP (light-my-request's inject cannot load under jest's ESM mode).
let app: FastifyInstance;
let base: string;
let liveModel: LiveModel;
beforeAll(async () => {
  const model = tinyModel();
  const live = new LiveModel(model, {
    rollupPeriodMs: 60_000,
    now: () => clock.t,
    createDetector: quiet,
    onDetection: () => {},
  });
  live.ingest([
    { node: 'r/a/a1', deviceId: 'a1-dev', metric: 'output', value: 5, ts: NOW },
    { node: 'r/a/a2', deviceId: 'a2-dev', metric: 'output', value: 15, ts: NOW },
    { node: 'r/b/b1', deviceId: 'b1-dev', metric: 'output', value: 7, ts: NOW },
  ]);
  live.flush();
  liveModel = live;
  const services = {
    model: () => model,
    live,
    now: () => NOW,
    sessions: { lookup: (t: string | undefined) => (t ? (USERS[t] ?? null) : null) },
  } as unknown as AppServices;
  app = await build(services);
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => app.close());

const get = async (url: string, token = 'tok-boss') => {
  const res = await fetch(base + url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as ModelView };
};
const valuesOf = (view: ModelView, path: string): IndicatorUpdate[] => view.nodes.find((n) => n.path === path)!.values!;

describe('GET /api/model', () => {
  it('serves the tree in scope with each node’s live values and Beer’s indices', async () => {
    const { status, body } = await get('/api/model');
    expect(status).toBe(200);
    expect(body.scope).toBe('r');
    expect(body.valuesAt).toBe(NOW);
    expect(body.nodes.map((n) => n.path)).toEqual(['r', 'r/a', 'r/a/a1', 'r/a/a2', 'r/b', 'r/b/b1']);
    const [a] = valuesOf(body, 'r/a');
    // capability 10 + 30 and potentiality 20 + 40 are derived from the leaves
    expect(a).toMatchObject({
      node: 'r/a',
      indicator: 'output',
      value: 20,
      capability: 40,
      potentiality: 60,
      productivity: 0.5,
      stale: false,
      missingChildren: 0,
    });
    expect(a!.performance).toBeCloseTo(20 / 60);
    expect(valuesOf(body, 'r')[0]).toMatchObject({ value: 27, stale: false });
  });

  it('keeps the fields the UI already reads', async () => {
    const { body } = await get('/api/model');
    expect(body).toMatchObject({
      name: 'tiny',
      levels: ['root', 'mid', 'leaf'],
      indicators: [{ id: 'output', unit: 'u', rollup: 'sum' }],
    });
    expect(body.nodes.find((n) => n.path === 'r/a/a1')).toMatchObject({
      name: 'A1',
      depth: 2,
      parent: 'r/a',
      children: [],
      correctionWindowSec: 60,
      levels: { output: { capability: 10, potentiality: 20 } },
    });
  });

  it('shows a scoped caller only the values of its subtree', async () => {
    const { body } = await get('/api/model', 'tok-b');
    expect(body.nodes.map((n) => n.path)).toEqual(['r/b', 'r/b/b1']);
    const paths = body.nodes.flatMap((n) => n.values!.map((v) => v.node));
    expect(new Set(paths)).toEqual(new Set(['r/b', 'r/b/b1']));
    expect(valuesOf(body, 'r/b')[0]).toMatchObject({ value: 7 });
  });

  it('leaves the values out when asked for ?values=false', async () => {
    const { status, body } = await get('/api/model?values=false');
    expect(status).toBe(200);
    expect(body.valuesAt).toBeUndefined();
    expect(body.nodes.every((n) => n.values === undefined)).toBe(true);
  });

  it('refuses a caller without a session', async () => {
    const res = await fetch(base + '/api/model');
    expect(res.status).toBe(401);
  });
});

describe('GET /api/latest', () => {
  it('says at every ancestor how many device series below stopped sending, through its JSON schema', async () => {
    // a1 and a2 speak again 59 s later; b1 does not: missing once its roll-up period is over.
    clock.t = NOW + 59_000;
    liveModel.ingest(
      ['a1', 'a2'].map((n) => ({ node: `r/a/${n}`, deviceId: `${n}-dev`, metric: 'output', value: 5, ts: clock.t })),
    );
    liveModel.flush();
    clock.t = NOW + 60_000;
    liveModel.flush();
    const res = await fetch(`${base}/api/latest`, { headers: { authorization: 'Bearer tok-boss' } });
    const latest = (await res.json()) as IndicatorUpdate[];
    const of = (n: string) => latest.find((u) => u.node === n)!;
    expect(of('r/b/b1')).toMatchObject({ value: null, stale: true, missingChildren: 0, missingDescendants: 1 });
    expect(of('r/b')).toMatchObject({ value: null, stale: true, missingChildren: 1, missingDescendants: 1 });
    expect(of('r')).toMatchObject({ stale: false, missingChildren: 1, missingDescendants: 1 });
    expect(of('r/a')).toMatchObject({ stale: false, missingDescendants: 0 });
  });
});
