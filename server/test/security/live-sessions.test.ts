import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io } from 'socket.io-client';
import type { IndicatorUpdate } from '@opsroom/models';
import {
  connectSocket,
  demoCredentials,
  EXAMPLE_MODEL,
  login,
  startTestServer,
  type OpsClient,
} from '../support/demo-fixture.js';
import { recordAttacks } from '../support/attack-ledger.js';

/**
 * Issue 16 point 4: a live socket is only as alive as its session. The handshake checks Origin
 * like the HTTP routes; logout, expiry and a model reload that narrows or removes a user
 * disconnect their sockets within a second; snapshot requests are rate-limited.
 */
describe('live sessions over socket.io', () => {
  const creds = demoCredentials();
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-live-'));
  const model = join(dir, 'valle.yaml');
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const sockets: OpsClient[] = [];
  beforeAll(async () => {
    copyFileSync(EXAMPLE_MODEL, model);
    server = await startTestServer({ model, sessionTtlMs: 4_000 });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const withCookie = (token: string, origin?: string) =>
    new Promise<OpsClient>((resolve, reject) => {
      const s: OpsClient = io(server.httpUrl, {
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: { cookie: `opsroom_session=${encodeURIComponent(token)}`, ...(origin ? { origin } : {}) },
      });
      sockets.push(s);
      s.once('hello', () => resolve(s));
      s.once('connect_error', reject);
    });
  const socketFor = async (user: string) => {
    const s = await connectSocket(server.httpUrl, await login(server.httpUrl, user, creds.users[user]!));
    sockets.push(s);
    return s;
  };
  const disconnectedWithin = (s: OpsClient, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (!s.connected) return resolve(true);
      const t = setTimeout(() => resolve(false), ms);
      s.once('disconnect', () => {
        clearTimeout(t);
        resolve(true);
      });
    });

  it('refuses a cookie-authenticated handshake from another origin, and accepts the ops room origin', async () => {
    const token = await login(server.httpUrl, 'planner', creds.users.planner!);
    await expect(withCookie(token, 'http://evil.example')).rejects.toThrow(/forbidden origin/);
    await expect(withCookie(token, 'null')).rejects.toThrow(/forbidden origin/);
    await expect(withCookie(token, server.httpUrl)).resolves.toBeDefined();
    await expect(withCookie(token)).resolves.toBeDefined(); // scripts send no Origin
    recordAttacks('cross-origin cookie handshakes', 2);
  });

  it('disconnects the sockets of a session within a second of its logout', async () => {
    const token = await login(server.httpUrl, 'planner', creds.users.planner!);
    const s = await connectSocket(server.httpUrl, token);
    sockets.push(s);
    const other = await socketFor('planner'); // another session of the same user stays
    const gone = disconnectedWithin(s, 1000);
    expect(
      (await fetch(`${server.httpUrl}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(204);
    expect(await gone).toBe(true);
    expect(other.connected).toBe(true);
    recordAttacks('socket kept streaming after logout', 1);
  });

  it('disconnects a socket within a second of its session expiring', async () => {
    const s = await socketFor('planner');
    const t0 = Date.now();
    expect(await disconnectedWithin(s, 6_000)).toBe(true);
    const after = Date.now() - t0;
    expect(after).toBeGreaterThan(3_000); // the session lasts 4 s
    expect(after).toBeLessThan(5_000);
    recordAttacks('socket kept streaming after session expiry', 1);
  }, 10_000);

  it('answers at most 5 snapshot requests per 10 s per socket', async () => {
    const s = await socketFor('planner');
    const answered = await Promise.all(
      Array.from({ length: 50 }, () =>
        s
          .timeout(1000)
          .emitWithAck('snapshot')
          .then((u: IndicatorUpdate[]) => Array.isArray(u))
          .catch(() => false),
      ),
    );
    expect(answered.filter(Boolean)).toHaveLength(5);
    recordAttacks('snapshot requests over the rate limit', 45);
  });

  it('disconnects the sockets of a user a model reload re-scopes or removes, within a second', async () => {
    const norte = await socketFor('council-norte');
    const sur = await socketFor('council-sur');
    const planner = await socketFor('planner');
    const goneNorte = disconnectedWithin(norte, 4_000);
    const goneSur = disconnectedWithin(sur, 4_000);
    const original = readFileSync(model, 'utf8');
    const narrowed = original.replace('    scope: valle/norte\n', '    scope: valle/norte/lana\n');
    expect(narrowed).not.toBe(original);
    // council-sur is removed: its whole user entry goes.
    const removed = narrowed.replace(/ {2}- name: council-sur\n(?: {4}.*\n)+/, '');
    expect(removed).not.toBe(narrowed);
    const t0 = Date.now();
    writeFileSync(model, removed);
    expect(await goneNorte).toBe(true);
    expect(await goneSur).toBe(true);
    // The watcher debounces edits; the disconnect follows the reload within the sweep period.
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(planner.connected).toBe(true);
    recordAttacks('sockets kept after a model reload re-scoped or removed their users', 2);
  }, 10_000);
});
