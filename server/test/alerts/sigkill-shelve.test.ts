// Issue 15 point 8: shelves and maintenance windows survive a SIGKILL of the server. The server
// runs in a child process on a data dir of its own (fixtures/alert-server.ts), is killed and
// restarted: a shelf keeps its end and its paused window, a shelf that ran out while the server
// was down ends at start-up and the window resumes; a maintenance window is still listed and still
// keeps alerts from being raised while the readings are stored.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Alert, IndicatorUpdate, MaintenanceWindow } from '@opsroom/models';
import { hashSecret } from '../../src/auth/hash.js';
import { connectDevice, getJson, login } from '../support/demo-fixture.js';
import { children, sigkill, sleep, startServer, waitFor } from './child-server.js';
import { PLANNER, publishStep } from './support.js';

const LEAF_SEC = 60;
const PRESS = { id: 'press-plc', secret: 'press-plc-test-secret', node: 'site/area/press' };
const LATHE = { id: 'lathe-plc', secret: 'lathe-plc-test-secret', node: 'site/area/lathe' };
/** The shelf: long enough to outlive one restart (a start takes a few seconds), short enough to wait out. */
const SHELF_MIN = 0.3;

function writeModel(dir: string): string {
  const path = join(dir, 'two-devices.yaml');
  writeFileSync(
    path,
    `name: Two devices
levels: [site, area, workshop]
correction_windows: { workshop: ${LEAF_SEC}, area: 600, site: 600 }
indicators:
  - { id: output, unit: units/h, rollup: sum }
nodes:
  - id: site
    children:
      - id: area
        children: [{ id: press }, { id: lathe }]
devices:
${[PRESS, LATHE].map((d) => `  - { id: ${d.id}, node: ${d.node}, secret_hash: "${hashSecret(d.secret)}" }`).join('\n')}
users:
  - { name: ${PLANNER.name}, role: planner, scope: site, password_hash: "${hashSecret(PLANNER.password)}" }
`,
  );
  return path;
}

async function call<T>(
  httpUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${httpUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const alertsAt = async (httpUrl: string, token: string, node: string) =>
  (await getJson<Alert[]>(httpUrl, `/api/alerts?node=${encodeURIComponent(node)}`, token)).body;

describe('shelves and maintenance windows across a SIGKILL of the server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-sigkill-shelve-'));
  const dataDir = join(dir, 'data');
  const model = writeModel(dir);
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a shelf and a window through a kill, ends an expired shelf at start-up, and raises nothing in the window', async () => {
    // 1. A window on the press; a step on the lathe raises an alert there, which is shelved; kill.
    const first = await startServer(dataDir, model);
    let token = await login(first.httpUrl, PLANNER.name, PLANNER.password);
    const set = await call<MaintenanceWindow>(first.httpUrl, token, 'POST', '/api/maintenance', {
      node: PRESS.node,
      end: Date.now() + 10 * 60_000,
      reason: 'press relined',
    });
    expect(set.status).toBe(201);
    const lathe = await connectDevice(first.mqttUrl, LATHE.id, LATHE.secret);
    await publishStep(lathe, LATHE.id);
    await lathe.endAsync();
    const raised = await waitFor(
      'the lathe alert',
      10_000,
      async () => (await alertsAt(first.httpUrl, token, LATHE.node))[0],
    );
    const shelvedRes = await call<Alert>(first.httpUrl, token, 'POST', `/api/alerts/${raised.id}/shelve`, {
      minutes: SHELF_MIN,
      note: 'known: tool change',
    });
    expect(shelvedRes.status).toBe(200);
    const shelf = shelvedRes.body.shelved!;
    expect(shelvedRes.body.deadline).toBeNull();
    expect(shelf.remainingMs).toBeGreaterThan(0);
    await sigkill(first);

    // 2. Back up before the shelf ends: still shelved, same end, same paused window; the window is listed.
    const second = await startServer(dataDir, model);
    expect(second.readyAt).toBeLessThan(shelf.until); // so "still shelved" is tested, not the expiry
    token = await login(second.httpUrl, PLANNER.name, PLANNER.password);
    const kept = (await getJson<Alert>(second.httpUrl, `/api/alerts/${raised.id}`, token)).body;
    expect(kept.shelved).toEqual(shelf);
    expect(kept.deadline).toBeNull();
    expect(
      (await getJson<Alert[]>(second.httpUrl, '/api/alerts?state=open', token)).body.map((a) => a.id),
    ).not.toContain(raised.id);
    const listed = (await getJson<MaintenanceWindow[]>(second.httpUrl, '/api/maintenance', token)).body;
    expect(listed).toEqual([set.body]);

    // 3. A step on the press inside the window: its readings are stored, no alert is raised (the lathe's step above was the control).
    const press = await connectDevice(second.mqttUrl, PRESS.id, PRESS.secret);
    await publishStep(press, PRESS.id);
    await press.endAsync();
    const latest = await waitFor('the press readings', 10_000, async () => {
      const rows = (
        await getJson<IndicatorUpdate[]>(second.httpUrl, `/api/latest?node=${encodeURIComponent(PRESS.node)}`, token)
      ).body;
      const row = rows.find((u) => u.node === PRESS.node && u.indicator === 'output');
      return row && row.value !== null && row.value > 130 ? row : undefined; // the step's new level arrived
    });
    expect(latest.value).toBeGreaterThan(130);
    await sleep(2000); // the lathe's alert came within a second of its readings
    expect(await alertsAt(second.httpUrl, token, PRESS.node)).toEqual([]);
    await sigkill(second);

    // 4. Stay down past the shelf's end: the next start ends it, by the system, and the window resumes then.
    await sleep(shelf.until - Date.now() + 300);
    const third = await startServer(dataDir, model);
    token = await login(third.httpUrl, PLANNER.name, PLANNER.password);
    const back = (await getJson<Alert>(third.httpUrl, `/api/alerts/${raised.id}`, token)).body;
    expect(back.shelved).toBeUndefined();
    const unshelved = back.trail.filter((t) => t.action === 'unshelved');
    expect(unshelved).toHaveLength(1);
    expect(unshelved[0]).toMatchObject({ actor: 'system' });
    expect(unshelved[0]!.at).toBeGreaterThanOrEqual(third.startedAt);
    expect(unshelved[0]!.at).toBeLessThanOrEqual(third.readyAt);
    expect(back.deadline).toBe(unshelved[0]!.at + shelf.remainingMs!);
    expect(back).toMatchObject({ owner: LATHE.node, state: 'raised' }); // paused: nothing escalated while shelved and down
    expect((await getJson<Alert[]>(third.httpUrl, '/api/alerts?state=open', token)).body.map((a) => a.id)).toContain(
      raised.id,
    );
    expect(
      (await getJson<MaintenanceWindow[]>(third.httpUrl, '/api/maintenance', token)).body.map((w) => w.id),
    ).toEqual([set.body.id]);
    await sigkill(third);
  }, 60_000);
});
