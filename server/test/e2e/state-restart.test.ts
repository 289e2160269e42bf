// Issue 17 point 2: state (alerts with their trails and deadlines, sessions, maintenance windows)
// lives in <dataDir>/state.db whatever --store says. The real server (startOpsroom, in-process)
// is started twice on one data directory with the memory store and with the InfluxDB store (a
// local HTTP double of InfluxDB 2: nothing here serves Flux), and once on a data directory the
// previous layout wrote (state inside the embedded store's opsroom.db, fixtures/previous-layout).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import type { Alert, MaintenanceWindow } from '@opsroom/models';
import { startOpsroom, type RunningOpsroom, type StartOptions } from '../../src/index.js';
import { DEVICE, PLANNER, publishStep, writeShortWindowModel } from '../alerts/support.js';
import { connectDevice, getJson, login } from '../support/demo-fixture.js';
import { STATE_MIGRATIONS } from '../../src/state/state-db.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/previous-layout');

/** Stands in for InfluxDB 2: accepts every write (204) and answers every Flux query with no rows. */
class InfluxDouble {
  private server: Server | null = null;
  url = '';
  writes = 0;
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url?.startsWith('/api/v2/write')) {
          this.writes++;
          res.writeHead(204).end();
        } else if (req.url?.startsWith('/api/v2/query')) {
          res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end('\r\n');
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"pass"}');
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

type Answer<T> = { status: number; body: T };

async function post<T>(httpUrl: string, path: string, token: string, body: unknown): Promise<Answer<T>> {
  const res = await fetch(`${httpUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function waitForOpenAlert(httpUrl: string, token: string): Promise<Alert> {
  for (let i = 0; i < 100; i++) {
    const { body } = await getJson<Alert[]>(httpUrl, '/api/alerts?state=open', token);
    if (body.length) return body[0]!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no alert was raised');
}

describe.each(['memory', 'influxdb'] as const)('a restart with --store %s', (store) => {
  const dir = mkdtempSync(join(tmpdir(), `opsroom-state-${store}-`));
  const dataDir = join(dir, 'data');
  const influx = new InfluxDouble();
  let options: StartOptions;
  beforeAll(async () => {
    await influx.start();
    options = {
      host: '127.0.0.1',
      httpPort: 0,
      mqttPort: 0,
      dataDir,
      model: writeShortWindowModel(dir, 3600, 3600),
      logger: false,
      rollupPeriodMs: 3_600_000, // only the leaf's detector raises
      store,
      ...(store === 'influxdb'
        ? { influx: { url: influx.url, org: 'opsroom', bucket: 'readings', token: 'test-token' } }
        : {}),
    };
  });
  afterAll(async () => {
    await influx.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the open alert with its trail and deadline, the maintenance window and the session', async () => {
    const first: RunningOpsroom = await startOpsroom(options);
    let token: string;
    let acked: Alert;
    let window: MaintenanceWindow;
    try {
      const device = await connectDevice(first.mqttUrl, DEVICE.id, DEVICE.secret);
      await publishStep(device, DEVICE.id);
      await device.endAsync();
      token = await login(first.httpUrl, PLANNER.name, PLANNER.password);
      const raised = await waitForOpenAlert(first.httpUrl, token);
      const ack = await post<Alert>(first.httpUrl, `/api/alerts/${raised.id}/ack`, token, { note: 'on it' });
      expect(ack.status).toBe(200);
      acked = ack.body;
      const w = await post<MaintenanceWindow>(first.httpUrl, '/api/maintenance', token, {
        node: 'site/area/lathe',
        end: Date.now() + 3600_000,
        reason: 'lathe overhaul',
      });
      expect(w.status).toBe(201);
      window = w.body;
    } finally {
      await first.close();
    }
    // The readings went to the store, not to the data dir.
    if (store === 'influxdb') expect(influx.writes).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, 'state.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'opsroom.db'))).toBe(false);

    const second = await startOpsroom(options);
    try {
      // The session of the first run still logs in (no new login).
      const open = await getJson<Alert[]>(second.httpUrl, '/api/alerts?state=open', token);
      expect(open.status).toBe(200);
      expect(open.body).toEqual([acked]);
      expect(open.body[0]).toMatchObject({ state: 'acknowledged', deadline: acked.deadline });
      expect(open.body[0]!.trail.map((t) => t.action)).toEqual(acked.trail.map((t) => t.action));
      const windows = await getJson<MaintenanceWindow[]>(second.httpUrl, '/api/maintenance', token);
      expect(windows.body).toEqual([window]);
      const health = await fetch(`${second.httpUrl}/healthz`);
      const h = (await health.json()) as { components: Record<string, { ok: boolean; detail: string }> };
      expect(h.components.state).toEqual({
        ok: true,
        detail: `sqlite: state.db (schema version ${STATE_MIGRATIONS.length})`,
      });
    } finally {
      await second.close();
    }
  }, 60_000);
});

describe('a data directory of the previous layout (state inside opsroom.db)', () => {
  const fixture = JSON.parse(readFileSync(join(FIXTURE, 'fixture.json'), 'utf8')) as {
    writtenAt: number;
    sessionToken: string;
    alertId: string;
    maintenanceWindowId: string;
    node: string;
  };
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-state-previous-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens with --store embedded and keeps its alerts, session, maintenance window and readings', async () => {
    const dataDir = join(dir, 'data');
    cpSync(join(FIXTURE, 'opsroom.db'), join(dataDir, 'opsroom.db'));
    // The clock of a minute after the fixture was written: its session (12 h) and the alert's window
    // (1 h) are still running.
    const clock = { t: fixture.writtenAt + 60_000 };
    const running = await startOpsroom({
      host: '127.0.0.1',
      httpPort: 0,
      mqttPort: 0,
      dataDir,
      model: join(FIXTURE, 'short-windows.yaml'),
      logger: false,
      store: 'embedded',
      now: () => clock.t,
    });
    try {
      const token = fixture.sessionToken;
      const open = await getJson<Alert[]>(running.httpUrl, '/api/alerts?state=open', token);
      expect(open.status).toBe(200);
      expect(open.body.map((a) => [a.id, a.node, a.state])).toEqual([[fixture.alertId, fixture.node, 'acknowledged']]);
      expect(open.body[0]!.trail.map((t) => t.action)).toEqual(['raised', 'updated', 'acknowledged']);
      const windows = await getJson<MaintenanceWindow[]>(running.httpUrl, '/api/maintenance', token);
      expect(windows.body.map((w) => [w.id, w.reason])).toEqual([[fixture.maintenanceWindowId, 'lathe overhaul']]);
      const from = fixture.writtenAt - 3600_000;
      const h = await getJson<{ points: unknown[] }>(
        running.httpUrl,
        `/api/history?node=${encodeURIComponent(fixture.node)}&indicator=output&from=${from}&to=${clock.t}`,
        token,
      );
      expect(h.body.points).toHaveLength(200); // publishStep's readings, still in opsroom.db
      // An action on the moved alert is saved to state.db.
      const note = { note: 'after the upgrade' };
      const c = await post<Alert>(running.httpUrl, `/api/alerts/${fixture.alertId}/comment`, token, note);
      expect(c.status).toBe(200);
    } finally {
      await running.close();
    }
    const old = new Database(join(dataDir, 'opsroom.db'), { readonly: true });
    const oldTables = old.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    old.close();
    expect(oldTables).toEqual(expect.arrayContaining(['series', 'chunks']));
    expect(oldTables).not.toContain('alert_docs');
    const state = new Database(join(dataDir, 'state.db'), { readonly: true });
    const row = state.prepare('SELECT doc FROM alert_docs WHERE id = ?').pluck().get(fixture.alertId) as string;
    const doc = JSON.parse(row) as Alert;
    state.close();
    expect(doc.trail.at(-1)).toMatchObject({ action: 'commented', note: 'after the upgrade' });
  }, 60_000);
});
