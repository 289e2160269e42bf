import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
import { deviceTopic, type Alert } from '@opsroom/models';
import { hashSecret } from '../../src/auth/hash.js';
import { publishStep } from '../alerts/support.js';
import { connectDevice, getJson, login } from '../support/demo-fixture.js';
import { federatedModelText, linkedServers } from '../support/federated-model.js';
import { spawnServer, type ServerProcess } from '../support/server-process.js';

/**
 * Issue 19 point 2, with processes on loopback: a region server and two council servers (norte, sur) of one model.
 * The region is stopped for 60 s while an alert escalates out of each council, and sur is SIGKILLed (and restarted)
 * during the outage. Afterwards: every roll-up period a council computed is at the region with the same value, each
 * escalation arrived exactly once, a resolve at the workshop's council resolves it at the region, and a resolve at the
 * region resolves it at the council.
 */
const SECRET = 'uplink-secret-for-tests';
const PERIOD_MS = 1000;
const OUTAGE_MS = 60_000;

function modelText(hash: string, serverHash: string): string {
  return federatedModelText(hash, linkedServers(serverHash, ['norte', 'sur']), {
    top: ['correction_windows: { region: 3600, council: 1, workshop: 1 }'],
    devices: [
      ['lana-feed', 'valle/norte/lana'],
      ['cobre-feed', 'valle/sur/cobre'],
    ],
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    let v: T | undefined;
    try {
      v = await read();
      if (ok(v)) return v;
    } catch {
      /* a server restarting */
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface HistoryAnswer {
  points: Array<{ ts: number; value: number }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('federation uplink (issue 19 point 2): a region and two councils on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-uplink-'));
  const model = join(dir, 'valle.yaml');
  writeFileSync(model, modelText(hashSecret('demo'), hashSecret(SECRET)));
  const running: ServerProcess[] = [];
  const feeders: mqtt.MqttClient[] = [];
  let feeding: NodeJS.Timeout | undefined;

  afterAll(async () => {
    if (feeding) clearInterval(feeding);
    for (const f of feeders) await f.endAsync(true);
    for (const s of running) await s.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no roll-up period, hands each escalation over once across a 60 s outage and a SIGKILL, resolves both ways', async () => {
    const [regionMqtt, norteMqtt, surMqtt, regionHttp, norteHttp, surHttp] = (await Promise.all(
      Array.from({ length: 6 }, freePort),
    )) as [number, number, number, number, number, number];
    const base = { model, rollupPeriodMs: PERIOD_MS, escalationCheckMs: 200, logger: { level: 'warn' } };
    const startRegion = () =>
      spawnServer({
        ...base,
        serverId: 'region',
        dataDir: join(dir, 'region'),
        mqttPort: regionMqtt,
        httpPort: regionHttp,
      });
    const startCouncil = (id: string, mqttPort: number, httpPort: number) =>
      spawnServer({
        ...base,
        serverId: id,
        dataDir: join(dir, id),
        mqttPort,
        httpPort,
        uplinkUrl: `mqtt://127.0.0.1:${regionMqtt}`,
        uplinkSecret: SECRET,
        uplinkSettleMs: 2000,
      });
    const track = (s: ServerProcess) => {
      running.push(s);
      return s;
    };
    let region = track(await startRegion());
    const norte = track(await startCouncil('norte', norteMqtt, norteHttp));
    let sur = track(await startCouncil('sur', surMqtt, surHttp));
    const t0 = Date.now();

    // Steady readings at both workshops, a reading every 250 ms, from devices of their own (the alerting devices
    // below send a step of their own). The sur feeder reconnects after sur's restart; readings it cannot send are
    // missing at sur as well, and the check compares what sur computed with what the region got.
    for (const [id, url] of [
      ['lana-feed', `mqtt://127.0.0.1:${norteMqtt}`],
      ['cobre-feed', `mqtt://127.0.0.1:${surMqtt}`],
    ] as const)
      feeders.push(
        await mqtt.connectAsync(url, { username: id, password: 'demo', clientId: id, reconnectPeriod: 500 }),
      );
    feeding = setInterval(() => {
      const ts = Date.now();
      for (const [i, f] of feeders.entries())
        if (f.connected)
          f.publish(
            deviceTopic(i === 0 ? 'lana-feed' : 'cobre-feed', 'readings'),
            JSON.stringify({ metric: 'output', value: 50 + (ts % 7), ts }),
            { qos: 1 },
          );
    }, 250);

    const boss = await login(region.httpUrl, 'boss', 'demo');
    const regionHistory = (node: string, token: string, url = region.httpUrl) =>
      getJson<HistoryAnswer>(
        url,
        `/api/history?node=${node}&indicator=output&from=${t0 - 300_000}&to=${Date.now()}&windowMs=${PERIOD_MS}`,
        token,
      ).then((r) => r.body);
    await eventually(
      () => regionHistory('valle/norte', boss),
      (h) => h.points.length >= 2,
      30_000,
      "norte's roll-ups at the region",
    );

    // The region goes away for 60 s.
    await region.stop();
    running.splice(running.indexOf(region), 1);
    const outageStart = Date.now();

    // An alert at each workshop, escalating out of its council (windows of 1 s) while the region is down.
    const ana = await login(norte.httpUrl, 'ana', 'demo');
    const sol = await login(sur.httpUrl, 'sol', 'demo');
    for (const [device, url] of [
      ['lana-plc', `mqtt://127.0.0.1:${norteMqtt}`],
      ['cobre-plc', `mqtt://127.0.0.1:${surMqtt}`],
    ] as const) {
      const d = await connectDevice(url, device, 'demo');
      await publishStep(d, device);
      await d.endAsync();
    }
    // The step's 200 readings are stamped over the 200 s before now: periods already sent up. Readings later than the
    // settle delay are not sent up again (README, "Several servers"), so the comparison starts after them.
    const stepSent = Date.now();
    const handedOut = (url: string, token: string, node: string, top: string) =>
      eventually(
        () => getJson<Alert[]>(url, '/api/alerts', token).then((r) => r.body),
        (list) =>
          list.some((a) => a.node === node && a.owner === top && a.state === 'escalated' && a.deadline === null),
        20_000,
        `the alert at ${node} escalated out of ${top}`,
      ).then((list) => list.find((a) => a.node === node && a.owner === top && a.state === 'escalated')!);
    const lanaAlert = await handedOut(norte.httpUrl, ana, 'valle/norte/lana', 'valle/norte');
    const cobreAlert = await handedOut(sur.httpUrl, sol, 'valle/sur/cobre', 'valle/sur');

    // sur dies without a word during the outage, and comes back.
    await sur.kill();
    running.splice(running.indexOf(sur), 1);
    await sleep(3000);
    sur = track(await startCouncil('sur', surMqtt, surHttp));

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStart)));
    region = track(await startRegion());
    const outageEnd = Date.now();
    expect(outageEnd - outageStart).toBeGreaterThanOrEqual(OUTAGE_MS);

    // Each escalation arrives exactly once: one alert per id at the region, escalated once from its council.
    const boss2 = await login(region.httpUrl, 'boss', 'demo');
    const regionAlerts = await eventually(
      () => getJson<Alert[]>(region.httpUrl, '/api/alerts', boss2).then((r) => r.body),
      (list) => list.some((a) => a.id === lanaAlert.id) && list.some((a) => a.id === cobreAlert.id),
      30_000,
      'both hand-offs at the region',
    );
    for (const [handed, from] of [
      [lanaAlert, 'norte'],
      [cobreAlert, 'sur'],
    ] as const) {
      const here = regionAlerts.filter((a) => a.id === handed.id);
      expect(here).toHaveLength(1);
      expect(here[0]!.owner).toBe('valle');
      expect(here[0]!.state).toBe('escalated');
      expect(here[0]!.trail.filter((t) => t.actor === `server:${from}` && t.action === 'escalated')).toHaveLength(1);
      // the region's own correction window, started on receipt (after the outage), not on the council's clock
      expect(here[0]!.deadline!).toBeGreaterThanOrEqual(outageEnd + 3600_000 - 1000);
    }

    // No roll-up period missing: every period a council computed for its top (settled) is at the region, equal.
    await sleep(4000);
    const checkUntil = Date.now() - 4000;
    for (const [node, url, token] of [
      ['valle/norte', norte.httpUrl, ana],
      ['valle/sur', sur.httpUrl, sol],
    ] as const) {
      const firstAtRegion = (
        await eventually(
          () => regionHistory(node, boss2),
          (h) => h.points.some((p) => p.ts >= checkUntil - PERIOD_MS * 2),
          30_000,
          `${node}'s roll-ups caught up at the region`,
        )
      ).points;
      const atRegion = new Map(firstAtRegion.map((p) => [p.ts, p.value]));
      const atCouncil = (await regionHistory(node, token, url)).points.filter(
        (p) => p.ts >= Math.max(firstAtRegion[0]!.ts, stepSent + PERIOD_MS) && p.ts < checkUntil,
      );
      expect(atCouncil.length).toBeGreaterThan((checkUntil - outageStart) / PERIOD_MS / 2);
      const missing = atCouncil.filter((p) => !atRegion.has(p.ts));
      expect(missing).toEqual([]);
      for (const p of atCouncil) expect(atRegion.get(p.ts)).toBeCloseTo(p.value, 6);
      // the outage is covered: periods inside it are at the region
      expect(firstAtRegion.filter((p) => p.ts > outageStart && p.ts < outageEnd).length).toBeGreaterThan(
        OUTAGE_MS / PERIOD_MS / 2,
      );
    }

    // A directive at the region reaches the workshop's device through its council; the device's acknowledgement
    // comes back up into the region's trail.
    const plc = await connectDevice(`mqtt://127.0.0.1:${norteMqtt}`, 'lana-plc', 'demo');
    const command = new Promise<{ alert: string; from: string }>((resolve) =>
      plc.on('message', (_t, payload) => resolve(JSON.parse(payload.toString()) as { alert: string; from: string })),
    );
    await plc.subscribeAsync(deviceTopic('lana-plc', 'commands'), { qos: 1 });
    const directive = await fetch(`${region.httpUrl}/api/alerts/${lanaAlert.id}/directive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${boss2}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'slow the loom down' }),
    });
    expect(directive.status).toBe(200);
    const received = await command;
    expect(received).toMatchObject({ alert: lanaAlert.id, from: 'boss' });
    await plc.publishAsync(
      deviceTopic('lana-plc', 'status'),
      JSON.stringify({ type: 'directive-ack', alert: lanaAlert.id }),
      { qos: 1 },
    );
    await plc.endAsync();
    await eventually(
      () => getJson<Alert>(region.httpUrl, `/api/alerts/${lanaAlert.id}`, boss2).then((r) => r.body),
      (a) => a.trail.some((t) => t.actor === 'device:lana-plc'),
      15_000,
      "the device's acknowledgement in the region's trail",
    );

    // Resolved wins from any level: at the workshop's council -> at the region; at the region -> at the council.
    const ana2 = await login(norte.httpUrl, 'ana', 'demo');
    const resolved = await fetch(`${norte.httpUrl}/api/alerts/${lanaAlert.id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ana2}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'fixed the loom' }),
    });
    expect(resolved.status).toBe(200);
    await eventually(
      () => getJson<Alert>(region.httpUrl, `/api/alerts/${lanaAlert.id}`, boss2).then((r) => r.body),
      (a) => a.state === 'resolved',
      15_000,
      'the resolve at norte reaching the region',
    );
    const regionResolve = await fetch(`${region.httpUrl}/api/alerts/${cobreAlert.id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${boss2}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'handled by the region' }),
    });
    expect(regionResolve.status).toBe(200);
    const sol2 = await login(sur.httpUrl, 'sol', 'demo');
    const atSur = await eventually(
      () => getJson<Alert>(sur.httpUrl, `/api/alerts/${cobreAlert.id}`, sol2).then((r) => r.body),
      (a) => a.state === 'resolved',
      15_000,
      'the resolve at the region reaching sur',
    );
    expect(atSur.trail.at(-1)!.actor).toBe('server:region');
  }, 180_000);
});
