import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { deviceTopic, inScope, type Alert, type IndicatorUpdate } from '@opsroom/models';
import {
  connectDevice,
  connectSocket,
  demoCredentials,
  login,
  nextEvent,
  startTestServer,
  type OpsClient,
} from '../support/demo-fixture.js';

/**
 * Issue 9 point 2: scope on every HTTP route and every socket.io room. The routes come from the
 * server's own OpenAPI document (every non-hidden route), so a new route shows up here by itself;
 * one without an entry in EXPECTATIONS fails the test until someone states its scope rule.
 *
 * For every route × every role (anonymous and each demo user) the test proves that nothing
 * outside the caller's scope is visible or changeable:
 *  - anonymous callers get 401 on every non-public route;
 *  - a route that takes a node answers 404 for a node outside the caller's scope, exactly as for
 *    a node that does not exist (list filters may instead answer an empty list, stated per route);
 *  - a route that takes an alert id answers 404 for an alert outside the caller's scope, and a
 *    write leaves that alert unchanged;
 *  - no answer to anyone names a node outside their scope (other than the scope's own ancestors),
 *    nor the id of an alert they may not see.
 */

type Role = 'council-norte' | 'council-sur' | 'coop-lana' | 'planner' | 'admin';
const ROLES: Role[] = ['council-norte', 'council-sur', 'coop-lana', 'planner', 'admin'];

interface Target {
  node: string;
  alert: string;
  /** A maintenance window id (routes whose subject is `window`). */
  window?: string;
}

interface RouteExpectation {
  /** `public`: answers anyone and holds nothing scoped. `user`: 401 without a session. */
  access: 'public' | 'user';
  /** What in the request names a scoped thing (must match the route's OpenAPI parameters: a `node` in the query or body, an alert `id` in the path, a window `id` in the query, a user `name` or `device` id in the path: `account`). */
  subject: 'none' | 'node' | 'alert' | 'window' | 'account';
  /** A well-formed request about `t` (the path's `{id}` is filled in by the test). */
  request(t: Target): { query?: string; body?: unknown };
  /** How a node outside the caller's scope answers; default `not-found` (404). */
  outOfScopeNode?: 'not-found' | 'empty-list';
  /** Statuses a caller in scope may get (a write may be 403/409 by role or state, never 404). */
  inScopeStatus?: number[];
  /** In-scope status for particular roles (a planner may not administer: 403). */
  inScopeStatusFor?: Partial<Record<Role, number>>;
  /** The request changes the session itself (logout): run it on a throw-away session. */
  endsSession?: true;
}

/** Every route of the OpenAPI document must be here. Key: "METHOD /openapi/path". */
const EXPECTATIONS: Record<string, RouteExpectation> = {
  'GET /healthz': { access: 'public', subject: 'none', request: () => ({}), inScopeStatus: [200] },
  'GET /metrics': { access: 'public', subject: 'none', request: () => ({}), inScopeStatus: [200] },
  'POST /api/login': {
    access: 'public',
    subject: 'none',
    request: () => ({ body: { username: 'planner', password: 'wrong' } }),
    inScopeStatus: [401],
  },
  'POST /api/logout': { access: 'user', subject: 'none', request: () => ({}), inScopeStatus: [204], endsSession: true },
  // Who is signed in (user null for nobody: never a 401 at page load); the test server is not the demo, so no logins.
  'GET /api/session': { access: 'public', subject: 'none', request: () => ({}), inScopeStatus: [200] },
  'GET /api/me': { access: 'user', subject: 'none', request: () => ({}), inScopeStatus: [200] },
  'GET /api/model': { access: 'user', subject: 'none', request: () => ({}), inScopeStatus: [200] },
  'GET /api/latest': {
    access: 'user',
    subject: 'node',
    request: (t) => ({ query: `node=${encodeURIComponent(t.node)}` }),
    inScopeStatus: [200],
  },
  'GET /api/history': {
    access: 'user',
    subject: 'node',
    request: (t) => ({ query: `node=${encodeURIComponent(t.node)}&indicator=output&from=0` }),
    inScopeStatus: [200],
  },
  // A list filter: a node outside scope filters everything away, exactly like a node that does not exist.
  'GET /api/alerts': {
    access: 'user',
    subject: 'node',
    request: (t) => ({ query: `node=${encodeURIComponent(t.node)}` }),
    outOfScopeNode: 'empty-list',
    inScopeStatus: [200],
  },
  // Counts (issue 15 point 6): a node outside scope answers 404, as one that does not exist.
  'GET /api/alerts/counts': {
    access: 'user',
    subject: 'node',
    request: (t) => ({ query: `node=${encodeURIComponent(t.node)}` }),
    inScopeStatus: [200],
  },
  // The alarm system's health (issue 15 point 7) of a node's subtree: 404 outside scope.
  'GET /api/alarm-health': {
    access: 'user',
    subject: 'node',
    request: (t) => ({ query: `node=${encodeURIComponent(t.node)}&hours=1` }),
    inScopeStatus: [200],
  },
  'GET /api/alerts/{id}': { access: 'user', subject: 'alert', request: () => ({}), inScopeStatus: [200] },
  // Shelving belongs to the owner level or above (403 below it, 409 when already shelved / not shelved / resolved).
  'POST /api/alerts/{id}/shelve': {
    access: 'user',
    subject: 'alert',
    request: () => ({ body: { minutes: 5, note: 'scope test' } }),
    inScopeStatus: [200, 403, 409],
  },
  // Assigning to the planner (scope valle covers every owner): as for acknowledge, 403 below the owner.
  'POST /api/alerts/{id}/assign': {
    access: 'user',
    subject: 'alert',
    request: () => ({ body: { user: 'planner', note: 'scope test' } }),
    inScopeStatus: [200, 403, 409],
  },
  'POST /api/alerts/{id}/unshelve': {
    access: 'user',
    subject: 'alert',
    request: () => ({ body: { note: 'scope test' } }),
    inScopeStatus: [200, 403, 409],
  },
  'POST /api/alerts/{id}/ack': {
    access: 'user',
    subject: 'alert',
    request: () => ({ body: { note: 'scope test' } }),
    inScopeStatus: [200, 403, 409],
  },
  'POST /api/alerts/{id}/comment': {
    access: 'user',
    subject: 'alert',
    request: () => ({ body: { note: 'scope test' } }),
    inScopeStatus: [200, 409],
  },
  'POST /api/alerts/{id}/directive': {
    access: 'user',
    subject: 'alert',
    request: () => ({ body: { note: 'scope test' } }),
    inScopeStatus: [200, 403, 409],
  },
  // Last among the writes (OpenAPI order is kept): resolving closes the alert for the others.
  'POST /api/alerts/{id}/resolve': {
    access: 'user',
    subject: 'alert',
    request: () => ({ body: { note: 'scope test' } }),
    inScopeStatus: [200, 409],
  },
  // Maintenance windows (issue 15 point 3): a list filter, a node in the body, a window id in the query.
  'GET /api/maintenance': {
    access: 'user',
    subject: 'node',
    request: (t) => ({ query: `node=${encodeURIComponent(t.node)}` }),
    outOfScopeNode: 'empty-list',
    inScopeStatus: [200],
  },
  // Windows start tomorrow, so that setting them here changes no alert of these tests.
  'POST /api/maintenance': {
    access: 'user',
    subject: 'node',
    request: (t) => ({
      body: { node: t.node, start: Date.now() + DAY_MS, end: Date.now() + 2 * DAY_MS, reason: 'scope test' },
    }),
    inScopeStatus: [201],
  },
  'DELETE /api/maintenance': {
    access: 'user',
    subject: 'window',
    request: (t) => ({ query: `id=${encodeURIComponent(t.window ?? 'no-such-window')}` }),
    inScopeStatus: [200, 409],
  },
  // Administration (issue 20 point 5): admins, and councils within their scope; a planner 403.
  'GET /api/admin/users': { access: 'user', subject: 'none', request: () => ({}), inScopeStatus: [200, 403] },
  // A user named like an existing one, with the caller's own scope: the scope is checked first (404
  // outside it), then the name (409); nothing is written. Successful adds: test/security/admin-routes.test.ts.
  'POST /api/admin/users': {
    access: 'user',
    subject: 'none',
    request: (t) => ({ body: { name: 'planner', role: 'council', scope: t.node } }),
    inScopeStatus: [409, 403],
  },
  'PATCH /api/admin/users/{name}': {
    access: 'user',
    subject: 'account',
    request: () => ({ body: { displayName: 'scope test' } }),
    inScopeStatus: [200, 403],
  },
  'GET /api/admin/devices': { access: 'user', subject: 'none', request: () => ({}), inScopeStatus: [200, 403] },
  // A device id that exists, on every node: 404 outside the caller's scope, else 409 (taken); nothing
  // is written. Successful provisioning: test/security/admin-routes.test.ts.
  'POST /api/admin/devices': {
    access: 'user',
    subject: 'node',
    request: (t) => ({ body: { id: 'taller-1-plc', node: t.node } }),
    inScopeStatus: [409, 403],
    inScopeStatusFor: { planner: 403 },
  },
  'PATCH /api/admin/devices/{device}': {
    access: 'user',
    subject: 'account',
    request: () => ({ body: { disabled: false } }),
    inScopeStatus: [200, 403],
  },
};

const DAY_MS = 86_400_000;

/** Path parameters that name a user (`name`) or a device (`device`): subject `account`. */
const ACCOUNT_PARAMS = ['name', 'device'];

/** Routes that the OpenAPI document hides (docs and the UI); public, no scoped data. */
const HIDDEN_PUBLIC_ROUTES = [
  'GET /',
  'GET /api/docs',
  'GET /api/docs/json',
  'GET /api/docs/yaml',
  'GET /api/docs/static/index.html',
];

interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ in: string; name: string }>;
        requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
      }
    >
  >;
}

describe('scope on every route and every socket.io room', () => {
  const creds = demoCredentials();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const tokens = {} as Record<Role, string>;
  const scopes = {} as Record<Role, string>;
  const sockets = {} as Record<Role, OpsClient>;
  const socketEvents = {} as Record<Role, Array<{ event: string; args: unknown[] }>>;
  let doc: OpenApiDoc;
  let allNodes: string[];
  /** Alerts raised in setup: one in valle/sur, one in valle/norte/lana. */
  const alerts = {} as Record<'sur' | 'lana', Alert>;
  const alertIds = () => Object.values(alerts).map((a) => a.id);
  /** Maintenance windows set in setup: one on valle/sur, one on valle/norte/lana. */
  const windows = {} as Record<'sur' | 'lana', { id: string; node: string }>;

  beforeAll(async () => {
    server = await startTestServer();
    allNodes = [...server.model.nodes.keys()];
    for (const role of ROLES) {
      tokens[role] = await login(server.httpUrl, role, creds.users[role]!);
      scopes[role] = server.model.users.get(role)!.scope;
      sockets[role] = await connectSocket(server.httpUrl, tokens[role]);
      socketEvents[role] = [];
      sockets[role].onAny((event: string, ...args: unknown[]) => socketEvents[role].push({ event, args }));
    }
    doc = (await (await fetch(`${server.httpUrl}/api/docs/json`)).json()) as OpenApiDoc;

    // Step changes on a workshop of valle/sur and one of valle/norte/lana raise an alert each;
    // a dairy PLC (valle/norte/lacteos) adds readings outside coop-lana's scope.
    const sur = 'aserradero-plc';
    const lana = 'taller-1-plc';
    const raised = (device: string) =>
      nextEvent(
        sockets.planner,
        'alert:raised',
        (a: Alert) => a.node === server.model.devices.get(device)!.node && a.indicator === 'output',
        30_000,
      );
    const raisedSur = raised(sur);
    const raisedLana = raised(lana);
    await Promise.all([publishStep(sur, 7), publishStep(lana, 11), publishStep('queseria-plc', 13, 20)]);
    [[alerts.sur], [alerts.lana]] = await Promise.all([raisedSur, raisedLana]);
    // One maintenance window in each of those subtrees, starting tomorrow.
    for (const [k, node] of [
      ['sur', 'valle/sur'],
      ['lana', 'valle/norte/lana'],
    ] as const) {
      const res = await call(tokens.admin, 'POST', '/api/maintenance', {
        body: { node, start: Date.now() + DAY_MS, end: Date.now() + 2 * DAY_MS, reason: 'scope test' },
      });
      expect(res.status).toBe(201);
      windows[k] = res.body as { id: string; node: string };
    }
    await new Promise((r) => setTimeout(r, 600)); // a couple of live flushes reach the sockets
  }, 60_000);

  afterAll(async () => {
    for (const s of Object.values(sockets)) s.disconnect();
    await server?.stop();
  });

  /** 160 readings a second apart ending now, with a step from 100 to 160 at 120 (see e2e/flow.test.ts). */
  async function publishStep(deviceId: string, seed: number, n = 160): Promise<void> {
    const device = await connectDevice(server.mqttUrl, deviceId, creds.devices[deviceId]!);
    const t0 = Date.now() - n * 1000;
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const value = (i < 120 ? 100 : 160) + (seed / 2 ** 31 - 0.5) * 4;
      await device.publishAsync(
        deviceTopic(deviceId, 'readings'),
        JSON.stringify({ metric: 'output', value, ts: t0 + i * 1000 }),
        { qos: 1 },
      );
    }
    await device.endAsync();
  }

  async function call(
    token: string | null,
    method: string,
    path: string,
    opts: { query?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: unknown; text: string }> {
    const headers: Record<string, string> = { ...opts.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server.httpUrl}${path}${opts.query ? `?${opts.query}` : ''}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      redirect: 'manual',
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON (metrics, docs) */
    }
    return { status: res.status, body, text };
  }

  /** Every (method, OpenAPI path) the server documents. */
  const documentedRoutes = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        op,
      })),
    );
  const urlOf = (path: string, alertId = 'no-such-alert', account?: { name?: string; device?: string }) =>
    path
      .replace('{id}', encodeURIComponent(alertId))
      .replace('{name}', account?.name ?? 'council-sur')
      .replace('{device}', account?.device ?? 'aserradero-plc');
  const visible = (scope: string, node: string) => inScope(scope, node) || inScope(node, scope); // the subtree, or an ancestor of the scope

  /** Fails when `text` names a node outside `scope` (ancestors of the scope excepted) or an alert the caller may not see. */
  function expectNothingOutside(scope: string, text: string, where: string): void {
    const strings = new Set(text.match(/"(?:[^"\\]|\\.)*"/g)?.map((s) => JSON.parse(s) as string) ?? []);
    const leaked = allNodes.filter((n) => strings.has(n) && !visible(scope, n));
    for (const a of Object.values(alerts))
      if (strings.has(a.id) && !a.path.some((p) => inScope(scope, p))) leaked.push(`alert ${a.id} (${a.node})`);
    expect({ where, leaked }).toEqual({ where, leaked: [] });
  }

  it('has a scope expectation for every route the server documents', () => {
    const routes = documentedRoutes();
    expect(routes.length).toBeGreaterThan(5);
    const missing = routes.filter((r) => !EXPECTATIONS[r.key]).map((r) => r.key);
    if (missing.length) {
      throw new Error(
        `routes without a scope expectation: ${missing.join(', ')}. Add each to EXPECTATIONS in server/test/security/route-scope.test.ts, saying who may call it and which node or alert it touches, so its scope check is tested.`,
      );
    }
    const stale = Object.keys(EXPECTATIONS).filter((k) => !routes.some((r) => r.key === k));
    expect(stale).toEqual([]); // an expectation for a route that is gone: remove it
  });

  it("declares each route's subject as its OpenAPI parameters show it (a node query, an alert id, or neither)", () => {
    for (const r of documentedRoutes()) {
      const e = EXPECTATIONS[r.key];
      if (!e) continue;
      const params = r.op.parameters ?? [];
      const bodyNode = Object.values(r.op.requestBody?.content ?? {}).some(
        (c) => c.schema?.properties?.node !== undefined,
      );
      const takesNode = params.some((p) => p.in === 'query' && p.name === 'node') || bodyNode;
      const takesId = params.some((p) => p.in === 'path' && p.name === 'id');
      const takesWindow = params.some((p) => p.in === 'query' && p.name === 'id');
      const takesAccount = params.some((p) => p.in === 'path' && ACCOUNT_PARAMS.includes(p.name));
      expect({ route: r.key, subject: e.subject }).toEqual({
        route: r.key,
        subject: takesId ? 'alert' : takesWindow ? 'window' : takesAccount ? 'account' : takesNode ? 'node' : 'none',
      });
      // Any other path parameter would name something scoped too: it needs a rule first.
      expect({
        route: r.key,
        otherPathParams: params
          .filter((p) => p.in === 'path' && p.name !== 'id' && !ACCOUNT_PARAMS.includes(p.name))
          .map((p) => p.name),
      }).toEqual({ route: r.key, otherPathParams: [] });
    }
  });

  it('answers 401 to anonymous callers and to unknown tokens on every non-public route, and serves public ones without data in scope', async () => {
    for (const r of documentedRoutes()) {
      const e = EXPECTATIONS[r.key]!;
      const req = e.request({ node: 'valle', alert: alerts.sur.id });
      const url = urlOf(r.path, alerts.sur.id);
      for (const token of [null, 'not-a-session-token']) {
        const res = await call(token, r.method, url, req);
        if (e.access === 'user')
          expect({ route: r.key, token, status: res.status }).toEqual({ route: r.key, token, status: 401 });
        else {
          expect({ route: r.key, token, status: res.status }).toEqual({
            route: r.key,
            token,
            status: e.inScopeStatus![0],
          });
          expectNothingOutside('', res.text, `${r.key} (anonymous)`); // no node path at all
        }
      }
    }
    for (const key of HIDDEN_PUBLIC_ROUTES) {
      const res = await call(null, 'GET', key.split(' ')[1]!);
      expect({ route: key, ok: res.status === 200 || res.status === 302 }).toEqual({ route: key, ok: true });
    }
  });

  it("answers 404 for a node outside the caller's scope, as for one that does not exist, and 200 inside it", async () => {
    for (const r of documentedRoutes().filter((x) => EXPECTATIONS[x.key]?.subject === 'node')) {
      const e = EXPECTATIONS[r.key]!;
      for (const role of ROLES) {
        const nowhere = await call(
          tokens[role],
          r.method,
          r.path,
          e.request({ node: 'valle/no-such-node', alert: '' }),
        );
        for (const node of allNodes) {
          const res = await call(tokens[role], r.method, r.path, e.request({ node, alert: '' }));
          const where = `${r.key} node=${node} as ${role}`;
          if (inScope(scopes[role], node)) {
            const expected = e.inScopeStatusFor?.[role] ?? e.inScopeStatus![0];
            expect({ where, status: res.status }).toEqual({ where, status: expected });
          } else if ((e.outOfScopeNode ?? 'not-found') === 'not-found') {
            expect({ where, status: res.status }).toEqual({ where, status: 404 });
            expect({ where, code: (res.body as { code?: string }).code }).toEqual({
              where,
              code: (nowhere.body as { code?: string }).code,
            });
          } else if (!inScope(node, scopes[role])) {
            expect({ where, status: res.status, body: res.body }).toEqual({ where, status: nowhere.status, body: [] });
          } else {
            // An ancestor of the scope as a filter selects what the caller sees anyway; the leak check below covers it.
            expect({ where, status: res.status }).toEqual({ where, status: 200 });
          }
          expectNothingOutside(scopes[role], res.text, where);
        }
      }
    }
  });

  it("answers 404 for an alert outside the caller's scope on every alert route, and leaves it unchanged", async () => {
    const routes = documentedRoutes().filter((x) => EXPECTATIONS[x.key]?.subject === 'alert');
    // Reads first, then writes, so a resolve cannot hide what a read would have shown.
    routes.sort((a, b) => Number(a.method !== 'GET') - Number(b.method !== 'GET'));
    for (const r of routes) {
      const e = EXPECTATIONS[r.key]!;
      for (const role of ROLES) {
        for (const alert of Object.values(alerts)) {
          const before = await call(tokens.planner, 'GET', `/api/alerts/${alert.id}`);
          const res = await call(
            tokens[role],
            r.method,
            urlOf(r.path, alert.id),
            e.request({ node: alert.node, alert: alert.id }),
          );
          const where = `${r.key} alert in ${alert.node} as ${role}`;
          if (alert.path.some((p) => inScope(scopes[role], p))) {
            expect({ where, allowed: e.inScopeStatus!.includes(res.status) }).toEqual({ where, allowed: true });
          } else {
            expect({ where, status: res.status }).toEqual({ where, status: 404 });
            const after = await call(tokens.planner, 'GET', `/api/alerts/${alert.id}`);
            expect({ where, after: after.body }).toEqual({ where, after: before.body });
          }
          expectNothingOutside(scopes[role], res.text, where);
        }
        const none = await call(
          tokens[role],
          r.method,
          urlOf(r.path, 'no-such-alert'),
          e.request({ node: 'valle', alert: 'no-such-alert' }),
        );
        expect({ route: r.key, role, status: none.status }).toEqual({ route: r.key, role, status: 404 });
      }
    }
  });

  it("answers 404 for a maintenance window outside the caller's scope, and leaves it in place", async () => {
    const routes = documentedRoutes().filter((x) => EXPECTATIONS[x.key]?.subject === 'window');
    expect(routes.map((r) => r.key)).toEqual(['DELETE /api/maintenance']);
    const listed = async (id: string, ended = false) =>
      (
        (await call(tokens.planner, 'GET', '/api/maintenance', ended ? { query: 'ended=true' } : {})).body as Array<{
          id: string;
          cancelledAt?: number;
        }>
      ).find((w) => w.id === id);
    for (const r of routes) {
      const e = EXPECTATIONS[r.key]!;
      for (const role of ROLES) {
        for (const w of Object.values(windows)) {
          const before = await listed(w.id, true);
          const res = await call(tokens[role], r.method, r.path, e.request({ node: w.node, alert: '', window: w.id }));
          const where = `${r.key} window on ${w.node} as ${role}`;
          if (inScope(scopes[role], w.node)) {
            expect({ where, allowed: e.inScopeStatus!.includes(res.status) }).toEqual({ where, allowed: true });
          } else {
            expect({ where, status: res.status }).toEqual({ where, status: 404 });
            expect({ where, after: await listed(w.id, true) }).toEqual({ where, after: before });
          }
          expectNothingOutside(scopes[role], res.text, where);
        }
        const none = await call(
          tokens[role],
          r.method,
          r.path,
          e.request({ node: 'valle', alert: '', window: 'no-such-window' }),
        );
        expect({ route: r.key, role, status: none.status }).toEqual({ route: r.key, role, status: 404 });
      }
    }
    // The first in-scope role ended each window: the later ones met 409, and the list of windows not ended no longer has them.
    expect(await listed(windows.sur.id)).toBeUndefined();
    expect(await listed(windows.lana.id)).toBeUndefined();
    expect((await listed(windows.lana.id, true))?.cancelledAt).toEqual(expect.any(Number));
  });

  it("never names anything outside the caller's scope in any answer to any role", async () => {
    let checked = 0;
    for (const r of documentedRoutes()) {
      const e = EXPECTATIONS[r.key]!;
      if (e.endsSession) continue;
      for (const role of ROLES) {
        const res = await call(
          tokens[role],
          r.method,
          urlOf(r.path, alerts.sur.id),
          r.method === 'GET'
            ? {
                query:
                  e.subject === 'node' && r.key === 'GET /api/history'
                    ? e.request({ node: scopes[role], alert: '' }).query
                    : undefined,
              }
            : e.request({ node: scopes[role], alert: alerts.sur.id }),
        );
        expectNothingOutside(scopes[role], res.text, `${r.key} as ${role}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(ROLES.length * 5);
    // The lists hold what is in scope, and only that.
    const ids = async (role: Role) =>
      ((await call(tokens[role], 'GET', '/api/alerts')).body as Alert[])
        .map((a) => a.id)
        .filter((id) => alertIds().includes(id))
        .sort();
    expect(await ids('planner')).toEqual(alertIds().sort());
    expect(await ids('council-sur')).toEqual([alerts.sur.id]);
    expect(await ids('council-norte')).toEqual([alerts.lana.id]);
    expect(await ids('coop-lana')).toEqual([alerts.lana.id]);
    const model = (await call(tokens['coop-lana'], 'GET', '/api/model')).body as { nodes: Array<{ path: string }> };
    expect(model.nodes.map((n) => n.path).sort()).toEqual(
      allNodes.filter((n) => inScope('valle/norte/lana', n)).sort(),
    );
    const latest = (await call(tokens['council-sur'], 'GET', '/api/latest')).body as Array<{ node: string }>;
    expect(latest.length).toBeGreaterThan(0);
    expect(latest.filter((u) => !inScope('valle/sur', u.node))).toEqual([]);
  });

  it("answers 404 for a user or device outside the caller's scope, as for one that does not exist, and leaves the model file alone", async () => {
    const routes = documentedRoutes().filter((x) => EXPECTATIONS[x.key]?.subject === 'account');
    expect(routes.map((r) => r.key).sort()).toEqual([
      'PATCH /api/admin/devices/{device}',
      'PATCH /api/admin/users/{name}',
    ]);
    const accounts = [
      { scope: 'valle/sur', name: 'council-sur', device: 'aserradero-plc' },
      { scope: 'valle/norte/lana', name: 'coop-lana', device: 'taller-1-plc' },
    ];
    const modelText = () => readFileSync(server.config.model, 'utf8');
    for (const r of routes) {
      const e = EXPECTATIONS[r.key]!;
      for (const role of ROLES) {
        for (const a of accounts) {
          expect(server.model.devices.get(a.device)?.node.startsWith(a.scope)).toBe(true);
          const before = modelText();
          const res = await call(tokens[role], r.method, urlOf(r.path, '', a), e.request({ node: a.scope, alert: '' }));
          const where = `${r.key} ${a.name}/${a.device} as ${role}`;
          if (role === 'planner') expect({ where, status: res.status }).toEqual({ where, status: 403 });
          else if (inScope(scopes[role], a.scope))
            expect({ where, allowed: e.inScopeStatus!.includes(res.status) }).toEqual({ where, allowed: true });
          else {
            expect({ where, status: res.status }).toEqual({ where, status: 404 });
            expect({ where, same: modelText() === before }).toEqual({ where, same: true });
          }
          expectNothingOutside(scopes[role], res.text, where);
        }
        const none = await call(
          tokens[role],
          r.method,
          urlOf(r.path, '', { name: 'no-such-user', device: 'no-such-device' }),
          e.request({ node: 'valle', alert: '' }),
        );
        expect({ route: r.key, role, status: none.status }).toEqual({
          route: r.key,
          role,
          status: role === 'planner' ? 403 : 404,
        });
      }
    }
  });

  it('logs out: the token stops working at once', async () => {
    const token = await login(server.httpUrl, 'council-sur', creds.users['council-sur']!);
    expect((await call(token, 'GET', '/api/me')).status).toBe(200);
    expect((await call(token, 'POST', '/api/logout')).status).toBe(204);
    expect((await call(token, 'GET', '/api/me')).status).toBe(401);
  });

  it('refuses cookie-authenticated writes from another origin on every write route (CSRF)', async () => {
    const cookieToken = await login(server.httpUrl, 'planner', creds.users.planner!);
    for (const r of documentedRoutes().filter((x) => x.method !== 'GET' && EXPECTATIONS[x.key]!.access === 'user')) {
      const e = EXPECTATIONS[r.key]!;
      const res = await call(null, r.method, urlOf(r.path, alerts.lana.id), {
        ...e.request({ node: 'valle', alert: alerts.lana.id, window: windows.lana.id }),
        headers: { cookie: `opsroom_session=${cookieToken}`, origin: 'https://evil.example' },
      });
      expect({ route: r.key, status: res.status, code: (res.body as { code?: string }).code }).toEqual({
        route: r.key,
        status: 403,
        code: 'OPS_ERR_CSRF',
      });
    }
    expect((await call(cookieToken, 'GET', '/api/me')).status).toBe(200); // the session survived
  });

  it('refuses a cookie-authenticated write with `Origin: null` as CSRF (403), not with a 500', async () => {
    const cookieToken = await login(server.httpUrl, 'planner', creds.users.planner!);
    const res = await call(null, 'POST', `/api/alerts/${alerts.lana.id}/comment`, {
      body: { note: 'x' },
      headers: { cookie: `opsroom_session=${cookieToken}`, origin: 'null' },
    });
    expect(res.status).toBe(403);
  });

  it("delivers socket.io events only for nodes in each user's scope", async () => {
    const nodesOf = (event: string, args: unknown[]): string[] => {
      const [payload] = args;
      if (event === 'hello') return [];
      if (event.startsWith('alert:')) return (payload as Alert).path;
      return (payload as Array<{ node: string }>).map((u) => u.node);
    };
    for (const role of ROLES) {
      const events = socketEvents[role];
      const outside = events.flatMap(({ event, args }) =>
        nodesOf(event, args)
          .filter((n) => !(event.startsWith('alert:') ? visible : inScope)(scopes[role], n))
          .map((n) => `${event} ${n}`),
      );
      expect({ role, outside }).toEqual({ role, outside: [] });
      // Alerts reach a socket only when one of their path's nodes is in scope.
      const alertOutside = events.filter(
        (e) => e.event.startsWith('alert:') && !(e.args[0] as Alert).path.some((p) => inScope(scopes[role], p)),
      );
      expect({ role, alertOutside }).toEqual({ role, alertOutside: [] });
    }
    // Positive controls: the events exist, and reach those in scope.
    const saw = (role: Role, node: string) =>
      socketEvents[role].some(({ event, args }) => nodesOf(event, args).includes(node));
    expect(saw('council-sur', alerts.sur.node)).toBe(true);
    expect(saw('planner', alerts.sur.node)).toBe(true);
    expect(saw('planner', 'valle/norte/lacteos/queseria')).toBe(true);
    expect(saw('coop-lana', alerts.lana.node)).toBe(true);
    expect(saw('council-norte', alerts.sur.node)).toBe(false);
    expect(saw('coop-lana', 'valle/norte/lacteos/queseria')).toBe(false);

    // The snapshot a socket asks for is scoped too.
    const snapshot: IndicatorUpdate[] = await sockets['coop-lana'].timeout(5000).emitWithAck('snapshot');
    expect(snapshot.length).toBeGreaterThan(0);
    expect(snapshot.filter((u) => !inScope('valle/norte/lana', u.node))).toEqual([]);
  });

  it('refuses a socket.io connection without a valid session', async () => {
    await expect(connectSocket(server.httpUrl, 'not-a-session-token')).rejects.toThrow(/unauthenticated/);
  });
});
