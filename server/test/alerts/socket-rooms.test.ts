// socket.io alert events reach exactly the users whose scope holds a node the alert passed through,
// and HTTP refuses to act on alerts outside the caller's scope. The demo model with a 2 s workshop window
// and two workshop-level users added.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { hashSecret } from '../../src/auth/hash.js';
import {
  connectDevice,
  connectSocket,
  demoCredentials,
  EXAMPLE_MODEL,
  getJson,
  login,
  nextEvent,
  startTestServer,
  type OpsClient,
} from '../support/demo-fixture.js';
import { publishStep } from './support.js';

const TALLER_1 = 'valle/norte/lana/taller-1';
const LANA = 'valle/norte/lana';

function modelWithShortWindows(dir: string): string {
  let yaml = readFileSync(EXAMPLE_MODEL, 'utf8').replace(/workshop: 300/, 'workshop: 2');
  yaml += ['worker-1:taller-1', 'worker-2:taller-2']
    .map((s) => s.split(':'))
    .map(
      ([name, node]) =>
        `  - name: ${name}\n    role: council\n    scope: ${LANA}/${node}\n    password_hash: "${hashSecret(`${name}-password`)}"\n`,
    )
    .join('');
  const path = join(dir, 'valle-short.yaml');
  writeFileSync(path, yaml);
  return path;
}

async function post(
  httpUrl: string,
  path: string,
  token: string,
  body: object = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${httpUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('alert events over socket.io and actions over HTTP, by scope', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-rooms-'));
  const creds = demoCredentials();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const users = ['planner', 'council-norte', 'coop-lana', 'worker-1', 'council-sur', 'worker-2'] as const;
  const password = (u: string) => creds.users[u] ?? `${u}-password`;
  const tokens: Record<string, string> = {};
  const sockets: Record<string, OpsClient> = {};
  const heard: Record<string, Array<[string, Alert]>> = {};

  beforeAll(async () => {
    server = await startTestServer({
      model: modelWithShortWindows(dir),
      escalationCheckMs: 100,
      rollupPeriodMs: 3_600_000,
    });
    for (const u of users) {
      tokens[u] = await login(server.httpUrl, u, password(u));
      sockets[u] = await connectSocket(server.httpUrl, tokens[u]!);
      heard[u] = [];
      for (const e of ['raised', 'updated', 'escalated', 'resolved'] as const)
        sockets[u]!.on(`alert:${e}`, (a: Alert) => heard[u]!.push([e, a]));
    }
  }, 30_000);
  afterAll(async () => {
    for (const s of Object.values(sockets)) s.disconnect();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends raised, escalated, updated and resolved to the path's rooms only, and refuses outsiders", async () => {
    const raised = nextEvent(sockets.planner!, 'alert:raised', (a: Alert) => a.node === TALLER_1, 20_000);
    const device = await connectDevice(server.mqttUrl, 'taller-1-plc', creds.devices['taller-1-plc']!);
    await publishStep(device, 'taller-1-plc');
    await device.endAsync();
    const [alert] = await raised;
    const id = alert.id;
    const escalated = nextEvent(sockets['coop-lana']!, 'alert:escalated', (a: Alert) => a.id === id, 8000);

    // Outside the scope: hidden (404) whatever the action.
    for (const u of ['council-sur', 'worker-2']) {
      expect((await getJson(server.httpUrl, `/api/alerts/${id}`, tokens[u]!)).status).toBe(404);
      for (const action of ['ack', 'resolve'])
        expect((await post(server.httpUrl, `/api/alerts/${id}/${action}`, tokens[u]!)).status).toBe(404);
      expect((await post(server.httpUrl, `/api/alerts/${id}/comment`, tokens[u]!, { note: 'hi' })).status).toBe(404);
    }

    // The workshop's window (2 s) runs out: the alert moves up to the cooperative.
    const [up] = await escalated;
    expect(up).toMatchObject({ owner: LANA, path: [TALLER_1, LANA] });
    // The workshop may no longer acknowledge (403) but may still resolve; the cooperative acknowledges.
    expect((await post(server.httpUrl, `/api/alerts/${id}/ack`, tokens['worker-1']!)).status).toBe(403);
    const acked = await post(server.httpUrl, `/api/alerts/${id}/ack`, tokens['coop-lana']!, { note: 'on it' });
    expect(acked).toMatchObject({ status: 200, body: { state: 'acknowledged', owner: LANA } });
    const heardResolved = nextEvent(sockets['council-norte']!, 'alert:resolved', (a: Alert) => a.id === id, 5000);
    const resolved = await post(server.httpUrl, `/api/alerts/${id}/resolve`, tokens['worker-1']!, {
      note: 'belt replaced',
    });
    expect(resolved).toMatchObject({ status: 200, body: { state: 'resolved' } });
    await heardResolved;
    await new Promise((r) => setTimeout(r, 300)); // let any stray event arrive

    const eventsOf = (u: string) => [...new Set(heard[u]!.filter(([, a]) => a.id === id).map(([e]) => e))];
    for (const u of ['planner', 'council-norte', 'coop-lana', 'worker-1']) {
      expect(eventsOf(u)).toEqual(expect.arrayContaining(['raised', 'escalated', 'updated', 'resolved']));
      expect(heard[u]!.filter(([e, a]) => e === 'resolved' && a.id === id)).toHaveLength(1); // once, though in several rooms
    }
    for (const u of ['council-sur', 'worker-2']) expect(heard[u]).toEqual([]);

    // The trail over HTTP: who, when, what, from which level to which.
    const full = await getJson<Alert>(server.httpUrl, `/api/alerts/${id}`, tokens['worker-1']!);
    expect(full.status).toBe(200);
    expect(
      full.body.trail.filter((t) => t.action !== 'updated').map((t) => [t.action, t.actor, t.fromNode, t.toNode]),
    ).toEqual([
      ['raised', 'system', TALLER_1, TALLER_1],
      ['escalated', 'system', TALLER_1, LANA],
      ['acknowledged', 'coop-lana', LANA, LANA],
      ['resolved', 'worker-1', LANA, LANA],
    ]);

    // Filters over HTTP, within scope.
    const list = async (q: string, u = 'planner') => getJson<Alert[]>(server.httpUrl, `/api/alerts?${q}`, tokens[u]!);
    expect(
      (
        await list(`state=resolved&node=${encodeURIComponent(LANA)}&since=${alert.raisedAt}&until=${alert.raisedAt}`)
      ).body.map((a) => a.id),
    ).toEqual([id]);
    expect((await list('state=open')).body.filter((a) => a.id === id)).toEqual([]);
    expect((await list(`since=${alert.raisedAt + 1}`)).body.filter((a) => a.id === id)).toEqual([]);
    expect((await list('node=valle/sur', 'planner')).body).toEqual([]);
    expect((await list('', 'council-sur')).body).toEqual([]);
    expect((await list(`since=2&until=1`)).status).toBe(400);
  }, 30_000);
});
