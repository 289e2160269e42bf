import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { DEVICE, PLANNER, publishStep, writeShortWindowModel } from '../alerts/support.js';
import { connectDevice, getJson, login } from '../support/demo-fixture.js';
import { freePort } from '../support/mosquitto.js';
import { spawnServer, type ServerProcess } from '../support/server-process.js';

const LEAF_SEC = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Issue 19 point 5: a standby server (`--standby on`) on the same data directory waits while the active one runs and
 * takes over within 30 s of its SIGKILL, on the same ports: every reading the active one acknowledged is there, the
 * open alert is there once, its escalation happens once, and a session opened before still works.
 */
describe('a standby server takes over from a SIGKILLed active one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-standby-'));
  const dataDir = join(dir, 'data');
  const model = writeShortWindowModel(dir, LEAF_SEC, 600);
  const running: ServerProcess[] = [];
  afterAll(async () => {
    for (const s of running) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged reading and no alert, and escalates once', async () => {
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const options = { dataDir, model, httpPort, mqttPort, escalationCheckMs: 100 };
    const active = await spawnServer(options);
    running.push(active);
    let standbyUp: ServerProcess | undefined;
    const standby = spawnServer({ ...options, standby: true, standbyPollMs: 250 }, 60_000).then((s) => {
      running.push(s);
      return (standbyUp = s);
    });
    await sleep(1500);
    expect(standbyUp).toBeUndefined(); // it waits while the active server runs

    const device = await connectDevice(active.mqttUrl, DEVICE.id, DEVICE.secret);
    const t0 = Date.now();
    await publishStep(device, DEVICE.id); // 200 readings, each message acknowledged once stored
    await device.endAsync();
    const token = await login(active.httpUrl, PLANNER.name, PLANNER.password);
    let raised: Alert | undefined;
    for (const until = Date.now() + 10_000; !raised && Date.now() < until; await sleep(100))
      raised = (await getJson<Alert[]>(active.httpUrl, `/api/alerts?node=${DEVICE.node}`, token)).body[0];
    expect(raised).toBeDefined();

    const killedAt = Date.now();
    await active.kill();
    const next = await standby;
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(30_000);
    expect(next.httpUrl).toBe(active.httpUrl); // the same ports: devices and browsers reconnect where they were

    // the session from before the kill still works (sessions are in state.db)
    const alerts = async () => (await getJson<Alert[]>(next.httpUrl, `/api/alerts?node=${DEVICE.node}`, token)).body;
    expect((await alerts()).map((a) => a.id)).toEqual([raised!.id]);
    const history = await getJson<{ points: unknown[] }>(
      next.httpUrl,
      `/api/history?node=${DEVICE.node}&indicator=output&from=${t0 - 300_000}&to=${Date.now()}&maxPoints=1000`,
      token,
    );
    expect(history.body.points).toHaveLength(200);

    // its window runs out on the new server: escalated once
    const deadline = raised!.deadline!;
    await sleep(deadline - Date.now() + 1500);
    const [after] = await alerts();
    expect(after!.id).toBe(raised!.id);
    expect(after!.trail.filter((t) => t.action === 'escalated')).toHaveLength(1);
    expect(after!.trail.filter((t) => t.action === 'raised')).toHaveLength(1);
    expect(after!.owner).toBe('site/area');
  }, 60_000);
});
