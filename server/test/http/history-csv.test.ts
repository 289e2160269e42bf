// GET /api/history?format=csv over real HTTP (issue 20 point 2): the same points as the JSON
// answer, as text/csv with a header row; the same parameters, scope and errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { HISTORY_CSV_COLUMNS } from '@opsroom/models';
import { build } from '../../src/http/app.js';
import { csvFileName } from '../../src/http/routes/history.js';
import type { AppServices } from '../../src/http/services.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { tinyModel } from '../support/tiny-model.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const MIN = 60_000;
const USERS: Record<string, { name: string; role: string; scope: string }> = {
  'tok-boss': { name: 'boss', role: 'planner', scope: 'r' },
  'tok-b': { name: 'council-b', role: 'council', scope: 'r/b' },
};

let app: FastifyInstance;
let base: string;
const store = new MemoryStore();

beforeAll(async () => {
  // Ten minutes of one reading a minute at r/a/a1, 30 s past each minute.
  await store.writeBatch(
    Array.from({ length: 10 }, (_, i) => ({
      node: 'r/a/a1',
      metric: 'output',
      deviceId: 'a1-dev',
      ts: NOW - (10 - i) * MIN + 30_000,
      value: 10 + i,
    })),
  );
  const model = tinyModel();
  const services = {
    model: () => model,
    store,
    now: () => NOW,
    config: { rollupPeriodMs: MIN },
    sessions: { lookup: (t: string | undefined) => (t === undefined ? null : (USERS[t] ?? null)) },
  } as unknown as AppServices;
  app = await build(services);
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
});

function get(params: Record<string, string | number>, token = 'tok-boss'): Promise<Response> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  return fetch(`${base}/api/history?${qs}`, { headers: { authorization: `Bearer ${token}` } });
}

describe('GET /api/history?format=csv', () => {
  it('answers the raw points of the JSON answer as text/csv with a header row', async () => {
    const range = { node: 'r/a/a1', indicator: 'output', from: NOW - 30 * MIN, to: NOW };
    const json = (await (await get(range)).json()) as { points: Array<{ ts: number; value: number }> };
    expect(json.points).toHaveLength(10);
    const res = await get({ ...range, format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${csvFileName({ ...range })}"`);
    expect(res.headers.get('x-opsroom-truncated')).toBe('false');
    expect(res.headers.get('x-opsroom-resolution')).toMatch(/raw/);
    const lines = (await res.text()).split('\r\n');
    expect(lines[0]).toBe(HISTORY_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 10 + 1); // header, points, the empty string after the last CRLF
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(1, -1).map((l) => l.split(','));
    expect(rows.map((r) => [Number(r[1]), Number(r[7])])).toEqual(json.points.map((p) => [p.ts, p.value]));
    expect(rows[0]).toEqual([
      new Date(NOW - 10 * MIN + 30_000).toISOString(),
      String(NOW - 10 * MIN + 30_000),
      'r/a/a1',
      'output',
      'u',
      'raw',
      '',
      '10',
    ]);
  });

  it('writes windows with their aggregate and width, and a parent computed from its children', async () => {
    const res = await get({
      node: 'r/a',
      indicator: 'output',
      from: NOW - 10 * MIN,
      to: NOW,
      windowMs: 5 * MIN,
      aggregate: 'max',
      format: 'csv',
    });
    expect(res.status).toBe(200);
    const rows = (await res.text())
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(','));
    expect(rows.map((r) => r.slice(2))).toEqual([
      ['r/a', 'output', 'u', 'max', String(5 * MIN), '14'],
      ['r/a', 'output', 'u', 'max', String(5 * MIN), '19'],
    ]);
  });

  it('keeps scope and validation: 404 outside scope, 400 for a bad format, both as JSON errors', async () => {
    const out = await get({ node: 'r/a/a1', indicator: 'output', format: 'csv' }, 'tok-b');
    expect(out.status).toBe(404);
    expect(out.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await out.json()) as { code: string }).code).toBe('OPS_ERR_NOT_FOUND');
    expect((await get({ node: 'r/a/a1', indicator: 'output', format: 'xml' })).status).toBe(400);
    expect((await get({ node: 'r/b', indicator: 'output', format: 'csv' }, 'tok-b')).status).toBe(200);
    const anon = await fetch(`${base}/api/history?node=r&indicator=output&format=csv`);
    expect(anon.status).toBe(401);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/api/docs/json`)).json()) as {
      paths: Record<string, { get: { description: string; parameters: Array<{ name: string }> } }>;
    };
    const op = doc.paths['/api/history']?.get;
    expect(op?.description).toMatch(/format=csv answers the same points as text\/csv/);
    expect(op?.parameters.map((p) => p.name)).toContain('format');
  });
});
