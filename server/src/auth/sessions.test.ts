import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Model } from '@opsroom/models';
import { silentLogger } from '../log/logger.js';
import { createServerMetrics } from '../metrics/registry.js';
import { openStateDatabase } from '../state/state-db.js';
import { StateWrites } from '../state/state-writes.js';
import { tinyModel } from '../../test/support/tiny-model.js';
import { hashSecret } from './hash.js';
import { SqliteSessionRepository, type SessionRepository } from './session-repository.js';
import { Sessions } from './sessions.js';

function modelWithPassword(): Model {
  const m = tinyModel();
  m.users.set('boss', { name: 'boss', role: 'planner', scope: 'r', passwordHash: hashSecret('right') });
  return m;
}

describe('Sessions', () => {
  const model = modelWithPassword();
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('logs a user in with the right password and looks the token up', async () => {
    const clock = { t: 0 };
    const s = new Sessions(() => model, { ttlMs: 1000, now: () => clock.t });
    const { token, user } = await s.login('boss', 'right', '127.0.0.1');
    expect(user).toEqual({ name: 'boss', role: 'planner', scope: 'r' });
    expect(s.lookup(token)).toEqual(user);
    expect(s.lookup('not-a-token')).toBeNull();
  });

  it('refuses a wrong password or unknown user alike', async () => {
    const s = new Sessions(() => model, { ttlMs: 1000, now: () => 0 });
    await expect(s.login('boss', 'wrong', 'a')).rejects.toMatchObject({ code: 'OPS_ERR_BAD_CREDENTIALS' });
    await expect(s.login('nobody', 'right', 'a')).rejects.toMatchObject({ code: 'OPS_ERR_BAD_CREDENTIALS' });
  });

  it('limits failed logins per account and address, then lets the window pass', async () => {
    const clock = { t: 0 };
    const s = new Sessions(() => model, { ttlMs: 1000, now: () => clock.t, maxFailures: 3, failureWindowMs: 60_000 });
    for (let i = 0; i < 3; i++)
      await expect(s.login('boss', 'wrong', 'a')).rejects.toMatchObject({ code: 'OPS_ERR_BAD_CREDENTIALS' });
    await expect(s.login('boss', 'right', 'a')).rejects.toMatchObject({ code: 'OPS_ERR_RATE_LIMITED' });
    // Another address is not punished for the first one's failures.
    await expect(s.login('boss', 'right', 'b')).resolves.toMatchObject({ user: { name: 'boss' } });
    clock.t += 60_001;
    await expect(s.login('boss', 'right', 'a')).resolves.toMatchObject({ user: { name: 'boss' } });
  });

  it('counts a login before hashing: of 200 parallel wrong passwords only 10 reach the password check, and the right one after them is refused too', async () => {
    const s = new Sessions(() => model, { ttlMs: 1000, now: () => 0 });
    const burst = await Promise.allSettled([
      ...Array.from({ length: 200 }, () => s.login('boss', 'wrong', 'a')),
      s.login('boss', 'right', 'a'),
    ]);
    const codes = burst.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'OK'));
    expect(codes.filter((c) => c === 'OPS_ERR_BAD_CREDENTIALS')).toHaveLength(10);
    expect(codes.filter((c) => c === 'OPS_ERR_RATE_LIMITED')).toHaveLength(191);
  });

  it('limits one address spraying many names, and one account tried from many addresses', async () => {
    const s = new Sessions(() => model, {
      ttlMs: 1000,
      now: () => 0,
      maxFailuresPerAddress: 5,
      maxFailuresPerAccount: 7,
    });
    for (let i = 0; i < 5; i++)
      await expect(s.login(`name-${i}`, 'x', 'sprayer')).rejects.toMatchObject({ code: 'OPS_ERR_BAD_CREDENTIALS' });
    await expect(s.login('name-99', 'x', 'sprayer')).rejects.toMatchObject({ code: 'OPS_ERR_RATE_LIMITED' });
    for (let i = 0; i < 7; i++)
      await expect(s.login('boss', 'wrong', `10.0.0.${i}`)).rejects.toMatchObject({ code: 'OPS_ERR_BAD_CREDENTIALS' });
    await expect(s.login('boss', 'right', '10.0.1.1')).rejects.toMatchObject({
      code: 'OPS_ERR_RATE_LIMITED',
      retryAfterMs: 15 * 60_000,
    });
  });

  it('lets the owner of an account locked by failures from elsewhere in from an address they logged in from lately', async () => {
    const clock = { t: 0 };
    const s = new Sessions(() => model, {
      ttlMs: 1000,
      now: () => clock.t,
      maxFailures: 3,
      maxFailuresPerAccount: 7,
      knownAddressMs: 86_400_000,
    });
    await s.login('boss', 'right', 'office');
    for (let i = 0; i < 7; i++)
      await expect(s.login('boss', 'wrong', `10.0.0.${i}`)).rejects.toMatchObject({ code: 'OPS_ERR_BAD_CREDENTIALS' });
    // Locked for everyone else: a new address, even with the right password, is refused without hashing.
    await expect(s.login('boss', 'right', 'cafe')).rejects.toMatchObject({ code: 'OPS_ERR_RATE_LIMITED' });
    // The owner's usual address still gets in…
    await expect(s.login('boss', 'right', 'office')).resolves.toMatchObject({ user: { name: 'boss' } });
    // …but guessing from it is still limited per (account, address).
    for (let i = 0; i < 3; i++)
      await expect(s.login('boss', 'wrong', 'office')).rejects.toMatchObject({ code: 'OPS_ERR_BAD_CREDENTIALS' });
    await expect(s.login('boss', 'right', 'office')).rejects.toMatchObject({ code: 'OPS_ERR_RATE_LIMITED' });
  });

  it('forgets an address after knownAddressMs: then the per-account limit locks it out too', async () => {
    const clock = { t: 0 };
    const s = new Sessions(() => model, {
      ttlMs: 1000,
      now: () => clock.t,
      maxFailuresPerAccount: 7,
      knownAddressMs: 86_400_000,
    });
    await s.login('boss', 'right', 'office');
    clock.t = 86_400_000; // a day later (knownAddressMs): no longer known
    for (let i = 0; i < 7; i++)
      await expect(s.login('boss', 'wrong', `10.0.0.${i}`)).rejects.toMatchObject({ code: 'OPS_ERR_BAD_CREDENTIALS' });
    await expect(s.login('boss', 'right', 'office')).rejects.toMatchObject({ code: 'OPS_ERR_RATE_LIMITED' });
  });

  it('expires sessions and ends them on logout', async () => {
    const clock = { t: 0 };
    const s = new Sessions(() => model, { ttlMs: 1000, now: () => clock.t });
    const a = await s.login('boss', 'right', 'x');
    const b = await s.login('boss', 'right', 'x');
    s.logout(a.token);
    expect(s.lookup(a.token)).toBeNull();
    clock.t = 1000;
    expect(s.lookup(b.token)).toBeNull();
  });

  it('ends the session of a user the model no longer has, or has re-scoped', async () => {
    let current = model;
    const s = new Sessions(() => current, { ttlMs: 1000, now: () => 0 });
    const { token } = await s.login('boss', 'right', 'x');
    current = modelWithPassword();
    current.users.set('boss', { ...current.users.get('boss')!, scope: 'r/a' });
    expect(s.lookup(token)).toBeNull();
  });

  it('keeps sessions across a restart in the state database, storing only a digest of the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-sessions-'));
    dirs.push(dir);
    const { db: db1 } = openStateDatabase(dir);
    const first = new Sessions(() => model, { ttlMs: 1000, now: () => 0, repo: new SqliteSessionRepository(db1) });
    const { token } = await first.login('boss', 'right', 'x');
    const stored = db1.prepare('SELECT token_sha256 FROM auth_sessions').pluck().all() as string[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toBe(token);
    db1.close();
    const { db: db2 } = openStateDatabase(dir);
    const second = new Sessions(() => model, { ttlMs: 1000, now: () => 10, repo: new SqliteSessionRepository(db2) });
    expect(second.lookup(token)).toMatchObject({ name: 'boss' });
    second.logout(token);
    expect(db2.prepare('SELECT count(*) FROM auth_sessions').pluck().get()).toBe(0);
    db2.close();
  });
  it('hands out no session whose save failed, and keeps a session whose logout could not be saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-sessions-'));
    dirs.push(dir);
    const { db } = openStateDatabase(dir);
    const inner = new SqliteSessionRepository(db);
    let full = false;
    const failIfFull = () => {
      if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    const repo: SessionRepository = {
      save: (...a) => (failIfFull(), inner.save(...a)),
      load: (t) => inner.load(t),
      delete: (t) => (failIfFull(), inner.delete(t)),
      deleteExpired: (n) => inner.deleteExpired(n),
    };
    const metrics = createServerMetrics();
    const writes = new StateWrites({ now: () => 0, logger: silentLogger, failures: metrics.stateSaveFailures });
    const s = new Sessions(() => model, { ttlMs: 1000, now: () => 0, repo, writes });
    full = true;
    const refused = { code: 'OPS_ERR_STATE_UNAVAILABLE', statusCode: 503 };
    await expect(s.login('boss', 'right', 'x')).rejects.toMatchObject(refused);
    expect(db.prepare('SELECT count(*) FROM auth_sessions').pluck().get()).toBe(0);
    full = false;
    const { token } = await s.login('boss', 'right', 'x');
    full = true;
    expect(() => s.logout(token)).toThrow(expect.objectContaining({ code: 'OPS_ERR_STATE_UNAVAILABLE' }));
    expect(s.lookup(token)).toMatchObject({ name: 'boss' }); // still logged in, here and after a restart
    expect(inner.load(token)).toBeDefined();
    expect(await metrics.stateSaveFailures.value({ operation: 'login' })).toBe(1);
    expect(await metrics.stateSaveFailures.value({ operation: 'logout' })).toBe(1);
    full = false;
    s.logout(token);
    expect(s.lookup(token)).toBeNull();
    db.close();
  });
});
