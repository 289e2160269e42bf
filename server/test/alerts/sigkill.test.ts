// Alert state and deadlines survive a SIGKILL: the server runs in a child process on a data dir
// of its own, with short correction windows (press 8 s, area 3 s), and is killed and restarted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { connectDevice, getJson, login } from '../support/demo-fixture.js';
import { children, sigkill, sleep, startServer, waitFor } from './child-server.js';
import { DEVICE, PLANNER, publishStep, writeShortWindowModel } from './support.js';

const LEAF_SEC = 8;
const AREA_SEC = 3;
/** The escalation timer runs every 100 ms in the fixture; allow for a busy machine on top. */
const SLACK_MS = 1500;

async function alertsOf(httpUrl: string, token: string): Promise<Alert[]> {
  const res = await getJson<Alert[]>(httpUrl, `/api/alerts?node=${encodeURIComponent(DEVICE.node)}`, token);
  expect(res.status).toBe(200);
  return res.body;
}

const escalations = (a: Alert) => a.trail.filter((t) => t.action === 'escalated');

describe('alerts across a SIGKILL of the server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-sigkill-'));
  const dataDir = join(dir, 'data');
  const model = writeShortWindowModel(dir, LEAF_SEC, AREA_SEC);
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the alert, escalates it once on time after a restart, and escalates an overdue deadline at start-up', async () => {
    // 1. Raise an alert, and kill the server inside the press's correction window.
    const first = await startServer(dataDir, model);
    let token = await login(first.httpUrl, PLANNER.name, PLANNER.password);
    const device = await connectDevice(first.mqttUrl, DEVICE.id, DEVICE.secret);
    await publishStep(device, DEVICE.id);
    const raised = await waitFor('the alert', 10_000, async () => (await alertsOf(first.httpUrl, token))[0]);
    await sigkill(first);
    await device.endAsync(true).catch(() => undefined);
    expect(raised).toMatchObject({
      node: DEVICE.node,
      owner: DEVICE.node,
      state: 'raised',
      deadline: raised.raisedAt + LEAF_SEC * 1000,
    });
    const deadline = raised.deadline!;
    expect(Date.now()).toBeLessThan(deadline); // killed during the window

    // 2. Restart on the same data dir: the alert is there, unchanged, and escalates once, not before its deadline.
    const second = await startServer(dataDir, model);
    expect(second.readyAt).toBeLessThan(deadline); // back up before the deadline, so "on time" is tested, not start-up
    token = await login(second.httpUrl, PLANNER.name, PLANNER.password);
    const afterRestart = await alertsOf(second.httpUrl, token);
    expect(afterRestart.map((a) => a.id)).toEqual([raised.id]);
    expect(afterRestart[0]).toMatchObject({ owner: DEVICE.node, state: 'raised', deadline });
    expect(escalations(afterRestart[0]!)).toEqual([]);
    const moved = await waitFor('the escalation', deadline - Date.now() + SLACK_MS + 2000, async () => {
      const a = (await alertsOf(second.httpUrl, token))[0];
      return a && a.owner !== DEVICE.node ? a : undefined;
    });
    const [up] = escalations(moved);
    expect(up).toMatchObject({ fromNode: DEVICE.node, toNode: 'site/area', actor: 'system' });
    expect(up!.at).toBeGreaterThanOrEqual(deadline);
    expect(up!.at - deadline).toBeLessThanOrEqual(SLACK_MS);
    expect(moved).toMatchObject({
      owner: 'site/area',
      state: 'escalated',
      path: [DEVICE.node, 'site/area'],
      deadline: up!.at + AREA_SEC * 1000,
    });
    await sleep(500);
    expect(escalations((await alertsOf(second.httpUrl, token))[0]!)).toHaveLength(1); // once
    await sigkill(second);

    // 3. Stay down past the area's deadline: the next start escalates it at start-up, once.
    const areaDeadline = moved.deadline!;
    await sleep(areaDeadline - Date.now() + 300);
    const third = await startServer(dataDir, model);
    token = await login(third.httpUrl, PLANNER.name, PLANNER.password);
    const atStartup = await alertsOf(third.httpUrl, token);
    expect(atStartup.map((a) => a.id)).toEqual([raised.id]); // nothing lost, nothing duplicated
    const a = atStartup[0]!;
    expect(a).toMatchObject({ owner: 'site', state: 'escalated', path: [DEVICE.node, 'site/area', 'site'] });
    const ups = escalations(a);
    expect(ups.map((t) => `${t.fromNode}->${t.toNode}`)).toEqual([`${DEVICE.node}->site/area`, 'site/area->site']);
    expect(ups[1]!.at).toBeGreaterThanOrEqual(third.startedAt);
    expect(ups[1]!.at).toBeLessThanOrEqual(third.readyAt); // before the server said it was ready: at start-up
    await sleep(500);
    const later = await alertsOf(third.httpUrl, token);
    expect(later.map((x) => x.id)).toEqual([raised.id]);
    expect(escalations(later[0]!)).toHaveLength(2);
    expect(later[0]!.trail.filter((t) => t.action === 'raised')).toHaveLength(1);
    await sigkill(third);
  }, 45_000);
});
