import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import type { Alert, AlertFacetCounts } from '@opsroom/models';
import type { SessionUser } from '../../src/auth/sessions.js';
import { boss, councilA, setup, step, T0 } from '../support/alert-test-kit.js';
import { build } from '../../src/http/app.js';
import type { AlarmHealthAnswer } from '@opsroom/models/http';
import type { AppServices } from '../../src/http/services.js';
import { createServerMetrics } from '../../src/metrics/registry.js';
import { tinyModel } from '../support/tiny-model.js';

// Issue 15 points 6 and 7 over real HTTP on loopback: the alert list's new filters, its counts,
// and the alarm-health route and gauges, on an alert service driven by an injected clock.
const USERS: Record<string, SessionUser> = {
  'tok-boss': { name: 'boss', role: 'planner', scope: 'r' },
  'tok-a': { name: 'council-a', role: 'council', scope: 'r/a' },
  'tok-b': { name: 'council-b', role: 'council', scope: 'r/b' },
};
const MIN = 60_000;

let app: FastifyInstance;
let base: string;
const ids = {} as Record<'a1' | 'a2' | 'b1' | 'a1e', string>;

beforeAll(async () => {
  const model = tinyModel([
    { id: 'output', name: 'Output', unit: 'u', rollup: 'sum' },
    { id: 'energy', name: 'Energy use', unit: 'kWh', rollup: 'sum' },
  ]);
  // Names no id can contain (ids are hex), so the text search below cannot hit an id by chance.
  model.nodes.get('r/a/a1')!.name = 'Wool carding';
  model.nodes.get('r/b/b1')!.name = 'Butter room';
  const metrics = createServerMetrics();
  const clock = { t: T0 + 100 * 3600_000 };
  const { svc } = setup({ model, metrics, clock, grouping: false });
  const raise = (node: string, indicator = 'output') => {
    svc.onDetection(step(node, 0.95, 500, indicator));
    return svc.list(boss, { order: 'newest' })[0]!.id;
  };
  ids.a1 = raise('r/a/a1');
  clock.t += MIN;
  ids.a2 = raise('r/a/a2');
  clock.t += MIN;
  ids.b1 = raise('r/b/b1');
  clock.t += MIN;
  ids.a1e = raise('r/a/a1', 'energy');
  clock.t += 2 * MIN;
  svc.acknowledge(ids.a2, councilA); // 4 min after its raise
  svc.assign(ids.a1, councilA, 'council-a');
  clock.t += 5 * MIN;
  svc.resolve(ids.a2, councilA); // 9 min after its raise
  svc.shelve(ids.a1e, councilA, 30, 'tool change');
  const services = {
    model: () => model,
    alerts: svc,
    metrics,
    now: () => clock.t,
    sessions: { lookup: (t: string | undefined) => (t ? (USERS[t] ?? null) : null) },
  } as unknown as AppServices;
  app = await build(services);
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => app.close());

const get = async <T>(url: string, token = 'tok-boss') => {
  const res = await fetch(base + url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
};
const listIds = async (query: string, token?: string) =>
  (await get<Alert[]>(`/api/alerts?order=newest&${query}`, token)).body.map((a) => a.id);

describe('GET /api/alerts filters', () => {
  it('finds free text in node and indicator names, every word required', async () => {
    expect(await listIds('q=carding')).toEqual([ids.a1e, ids.a1]);
    expect(await listIds('q=' + encodeURIComponent('energy Wool'))).toEqual([ids.a1e]);
    expect(await listIds('q=tool%20change')).toEqual([ids.a1e]);
    expect(await listIds('q=nothing-like-this')).toEqual([]);
  });
  it('filters by indicator, by assignee (- for nobody) and by shelved', async () => {
    expect(await listIds('indicator=energy')).toEqual([ids.a1e]);
    expect(await listIds('assignee=council-a')).toEqual([ids.a1]);
    expect(await listIds('state=open&assignee=-')).toEqual([ids.b1]);
    expect(await listIds('state=open&shelved=only')).toEqual([ids.a1e]);
  });
  it("keeps to the caller's scope whatever the text says", async () => {
    expect(await listIds('q=butter', 'tok-a')).toEqual([]);
    expect(await listIds('q=butter', 'tok-b')).toEqual([ids.b1]);
  });
  it('refuses an unknown filter and a too long text (400)', async () => {
    expect((await get(`/api/alerts?colour=red`)).status).toBe(400);
    expect((await get(`/api/alerts?q=${'x'.repeat(201)}`)).status).toBe(400);
  });
});

describe('GET /api/alerts/counts', () => {
  it('counts the whole query and each facet without its own filter', async () => {
    const { status, body } = await get<{ total: number; facets: AlertFacetCounts }>('/api/alerts/counts?state=open');
    expect(status).toBe(200);
    expect(body.total).toBe(2); // a1, b1 (a1e shelved, a2 resolved)
    expect(body.facets.state).toEqual({ escalated: 2, resolved: 1, open: 2 }); // leaf windows are 60 s
    expect(body.facets.shelved).toEqual({ exclude: 2, only: 1 });
    expect(body.facets.indicator).toEqual({ output: 2 });
    expect(body.facets.assignee).toEqual({ 'council-a': 1, '-': 1 });
    expect(body.facets.node).toEqual({ 'r/a/a1': 1, 'r/b/b1': 1 });
  });
  it('agrees with the list it counts', async () => {
    const q = 'state=open&shelved=include&node=r%2Fa';
    const { body } = await get<{ total: number }>(`/api/alerts/counts?${q}`);
    expect(body.total).toBe((await listIds(q)).length);
    expect(body.total).toBe(2);
  });
  it('counts only what is in scope', async () => {
    const { body } = await get<{ total: number; facets: AlertFacetCounts }>('/api/alerts/counts', 'tok-b');
    expect(body.total).toBe(1);
    expect(body.facets.node).toEqual({ 'r/b/b1': 1 });
  });
});

describe('GET /api/alarm-health', () => {
  it("gives the scope's figures over 24 h by default, and each child's", async () => {
    const { status, body } = await get<AlarmHealthAnswer>('/api/alarm-health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ node: 'r', hours: 24, raises: 4, open: 3, shelved: 1, standing: 0, chattering: 0 });
    expect(body.alertsPerHour).toBeCloseTo(4 / 24);
    expect(body.medianAckMs).toBe(4 * MIN);
    expect(body.medianResolveMs).toBe(9 * MIN);
    expect(body.hourly).toHaveLength(24);
    expect(body.hourly.at(-1)!.count).toBe(4);
    expect(body.top[0]).toEqual({ node: 'r/a/a1', indicator: 'energy', count: 1 });
    expect(body.children.map((c) => [c.node, c.raises])).toEqual([
      ['r/a', 3],
      ['r/b', 1],
    ]);
  });
  it('answers for a node in scope, and 404 outside it as for a node that does not exist', async () => {
    const mine = await get<AlarmHealthAnswer>('/api/alarm-health?node=r%2Fa&hours=1', 'tok-a');
    expect(mine.body).toMatchObject({ node: 'r/a', raises: 3 });
    expect((await get<AlarmHealthAnswer>('/api/alarm-health', 'tok-b')).body).toMatchObject({ node: 'r/b', raises: 1 });
    expect((await get('/api/alarm-health?node=r%2Fa', 'tok-b')).status).toBe(404);
    expect((await get('/api/alarm-health?node=r%2Fzz', 'tok-b')).status).toBe(404);
    expect((await get('/api/alarm-health?hours=0')).status).toBe(400);
    expect((await get('/api/alarm-health?hours=169')).status).toBe(400);
  });
  it("exports the whole tree's figures on /metrics, without node names", async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1]);
    expect(value('opsroom_alarm_alerts_per_hour')).toBeCloseTo(4 / 24);
    expect(value('opsroom_alarm_shelved_alerts')).toBe(1);
    expect(value('opsroom_alarm_standing_alerts')).toBe(0);
    expect(value('opsroom_alarm_ack_median_seconds')).toBe(240);
    expect(value('opsroom_alarm_top10_ratio')).toBe(1);
    expect(text).not.toMatch(/r\/a/);
  });
});
