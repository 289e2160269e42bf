import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { startReplica, type RunningReplica } from '../../src/replica/start-replica.js';
import { DEVICE, LATHE_DEVICE, PLANNER, publishStep, writeShortWindowModel } from '../alerts/support.js';
import { connectDevice, connectSocket, getJson, startTestServer, type OpsClient } from '../support/demo-fixture.js';
import { eventually } from '../support/federation-kit.js';
import { redisBinary, startRedis, type RunningRedis } from '../support/redis.js';

/**
 * Issue 19 point 4: several UI-facing servers for one level. The owner (the one server that writes the level's state)
 * and a UI replica share live events through the socket.io Redis Streams adapter on a real redis-server: an alert the
 * owner raises reaches a socket on the replica, also one raised while Redis was down (killed, back empty); the replica
 * forwards the API (login, actions) to the owner, and a logout there closes the replica's socket.
 */
const redisBin = redisBinary();
const d = redisBin ? describe : describe.skip;

d('UI replicas of one level share live events through Redis Streams (issue 19 point 4)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-replicas-'));
  let redis: RunningRedis;
  let owner: Awaited<ReturnType<typeof startTestServer>>;
  let replica: RunningReplica;
  let token: string;
  let socket: OpsClient;
  const raised: Alert[] = [];
  const resolved: Alert[] = [];

  beforeAll(async () => {
    redis = await startRedis(redisBin!);
    owner = await startTestServer({
      model: writeShortWindowModel(dir, 600, 600, [LATHE_DEVICE]),
      dataDir: join(dir, 'owner'),
      redisUrl: redis.url,
      rollupPeriodMs: 3_600_000,
    });
    replica = await startReplica({
      host: '127.0.0.1',
      httpPort: 0,
      replicaOf: owner.httpUrl,
      redisUrl: redis.url,
      logger: false,
    });
  }, 30_000);
  afterAll(async () => {
    socket?.disconnect();
    await replica?.close();
    await owner?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("logs in through the replica (the owner's sessions and limits) and says how it stands on /healthz", async () => {
    const refused = await fetch(`${replica.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'planner', password: 'wrong' }),
    });
    expect(refused.status).toBe(401);
    const res = await fetch(`${replica.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: PLANNER.name, password: PLANNER.password }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^opsroom_session=/);
    const txt = await res.text();
    token = (JSON.parse(txt) as { token: string }).token;
    // the same session on the owner: one source of truth
    expect((await getJson<{ name: string }>(owner.httpUrl, '/api/me', token)).body.name).toBe('planner');
    const health = await fetch(`${replica.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      components: { owner: { ok: true }, events: { ok: true } },
    });
    // a body the owner refuses is refused through the replica, in the contract's words
    const bad = await fetch(`${replica.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'planner', password: 'x', extra: 1 }),
    });
    expect(bad.status).toBe(400);
  });

  it("brings the owner's alerts to a socket on the replica, also one raised while Redis was down", async () => {
    socket = await connectSocket(replica.httpUrl, token);
    socket.on('alert:raised', (a: Alert) => raised.push(a));
    socket.on('alert:resolved', (a: Alert) => resolved.push(a));

    const press = await connectDevice(owner.mqttUrl, DEVICE.id, DEVICE.secret);
    await publishStep(press, DEVICE.id);
    await press.endAsync();
    await eventually(
      async () => raised.length,
      (n) => n > 0,
      20_000,
    );
    expect(raised.map((a) => a.node)).toEqual(['site/area/press']);

    await redis.kill();
    const lathe = await connectDevice(owner.mqttUrl, LATHE_DEVICE.id, LATHE_DEVICE.secret);
    await publishStep(lathe, LATHE_DEVICE.id);
    await lathe.endAsync();
    // the owner raised it (its own state, Redis or not) while the replica could hear nothing
    const atOwner = await eventually(
      () => getJson<Alert[]>(owner.httpUrl, '/api/alerts?state=open', token),
      (r) => r.body.some((a) => a.node === 'site/area/lathe'),
      20_000,
    );
    expect(atOwner.body.map((a) => a.node)).toEqual(expect.arrayContaining(['site/area/lathe', 'site/area/press']));
    expect(raised).toHaveLength(1);
    const ownerHealth = await fetch(`${owner.httpUrl}/healthz`);
    expect(((await ownerHealth.json()) as { components: Record<string, { ok: boolean }> }).components.events!.ok).toBe(
      false,
    );

    await redis.start(); // empty: nothing of the stream survived
    await eventually(
      async () => raised.length,
      (n) => n >= atOwner.body.length,
      20_000,
    );
    await new Promise((r) => setTimeout(r, 500)); // any duplicate would arrive now
    // every alert the owner raised reached the replica's socket, once
    expect(raised.map((a) => a.id).sort()).toEqual(atOwner.body.map((a) => a.id).sort());
    expect(raised.map((a) => a.node)).toContain('site/area/lathe');
  }, 60_000);

  it('acts on the owner through the replica, and the resolve comes back live', async () => {
    const press = raised.find((a) => a.node === 'site/area/press')!;
    const res = await fetch(`${replica.httpUrl}/api/alerts/${press.id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'fixed from the replica' }),
    });
    expect(res.status).toBe(200);
    await eventually(
      async () => resolved.length,
      (n) => n > 0,
      20_000,
    );
    expect(resolved.map((a) => a.id)).toEqual([press.id]);
    expect((await getJson<Alert>(owner.httpUrl, `/api/alerts/${press.id}`, token)).body.state).toBe('resolved');
  });

  it("closes the replica's socket when the session ends at the owner", async () => {
    const closed = new Promise<string>((r) => socket.once('disconnect', r));
    const out = await fetch(`${replica.httpUrl}/api/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.status).toBeLessThan(300);
    expect(await closed).toBe('io server disconnect');
    await expect(connectSocket(replica.httpUrl, token)).rejects.toThrow(/unauthenticated/);
  });

  it('answers 503 in the contract words when the owner is gone, and says so on /healthz', async () => {
    await owner.stop();
    const res = await fetch(`${replica.httpUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'OPS_ERR_SERVER_UNREACHABLE' });
    expect((await fetch(`${replica.httpUrl}/healthz`)).status).toBe(503);
    // Its own /metrics: the process's, its HTTP requests (the forwarded calls by the owner's status) and the calls
    // the owner did not answer.
    const metrics = await (await fetch(`${replica.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(metrics).toMatch(/^opsroom_socket_clients \d/m);
    expect(metrics).toMatch(
      /^opsroom_http_request_duration_seconds_count\{[^}]*route="\/api\/\*",status_code="401"\} [1-9]/m,
    );
    expect(metrics).toMatch(/^opsroom_replica_owner_unreachable_total [1-9]/m);
  });
});
