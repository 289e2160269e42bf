import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import type { AdminDevice, AdminUser, DeviceAnswer, UserAnswer } from '@opsroom/models/http';
import {
  connectDevice,
  connectSocket,
  demoCredentials,
  EXAMPLE_MODEL,
  login,
  startTestServer,
} from '../support/demo-fixture.js';

/**
 * Issue 20 point 5: the administration routes against the real server (its model file a copy of
 * the example): scope (admin everywhere, a council only inside its scope and never above its own
 * role, 404 outside it), validation, write-back into the model file with its comments, and what a
 * change does at once: a disabled user's sessions and sockets end, a disabled device's MQTT
 * connection is closed and its next CONNECT refused (a real mqtt.js client over loopback).
 */
describe('administration of users and devices', () => {
  const creds = demoCredentials();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    for (const name of ['admin', 'planner', 'council-norte', 'council-sur', 'coop-lana'])
      tokens[name] = await login(server.httpUrl, name, creds.users[name]!);
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  async function call<T = unknown>(
    who: string | null,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; text: string }> {
    const headers: Record<string, string> = {};
    if (who) headers.authorization = `Bearer ${tokens[who] ?? who}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server.httpUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, text };
  }
  const modelText = () => readFileSync(server.config.model, 'utf8');
  const commentLines = (t: string) => t.split('\n').filter((l) => l.includes('#'));

  it('answers 401 without a session and 403 to a planner on every admin route', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/users'],
      ['POST', '/api/admin/users', { name: 'x1', role: 'council', scope: 'valle' }],
      ['PATCH', '/api/admin/users/council-sur', { disabled: true }],
      ['GET', '/api/admin/devices'],
      ['POST', '/api/admin/devices', { id: 'x1-plc', node: 'valle' }],
      ['PATCH', '/api/admin/devices/taller-1-plc', { disabled: true }],
    ];
    for (const [method, path, body] of routes) {
      expect({ path, method, status: (await call(null, method, path, body)).status }).toEqual({
        path,
        method,
        status: 401,
      });
      const planner = await call<{ code: string }>('planner', method, path, body);
      expect({ path, method, status: planner.status, code: planner.body.code }).toEqual({
        path,
        method,
        status: 403,
        code: 'OPS_ERR_FORBIDDEN_ACTION',
      });
    }
    expect(modelText()).toEqual(readFileSync(EXAMPLE_MODEL, 'utf8'));
  });

  it('lists users and devices in the caller’s scope only, never a hash', async () => {
    const users = await call<AdminUser[]>('admin', 'GET', '/api/admin/users');
    expect(users.body.map((u) => u.name)).toEqual(['admin', 'coop-lana', 'council-norte', 'council-sur', 'planner']);
    expect(users.body.find((u) => u.name === 'coop-lana')).toEqual({
      name: 'coop-lana',
      displayName: 'Cooperativa Lana',
      role: 'council',
      scope: 'valle/norte/lana',
      disabled: false,
    });
    expect(users.text).not.toMatch(/scrypt|hash/i);
    const norte = await call<AdminUser[]>('council-norte', 'GET', '/api/admin/users');
    expect(norte.body.map((u) => u.name)).toEqual(['coop-lana', 'council-norte']);
    const devices = await call<AdminDevice[]>('council-sur', 'GET', '/api/admin/devices');
    expect(devices.body.length).toBeGreaterThan(0);
    expect(devices.body.every((d) => d.node.startsWith('valle/sur/'))).toBe(true);
    expect(devices.body[0]).toMatchObject({ disabled: false, connected: false, lastContact: null });
    expect(devices.text).not.toMatch(/scrypt|secret/i);
  });

  it('validates bodies and parameters (400) before anything is written', async () => {
    const before = modelText();
    const bad: Array<[string, string, unknown]> = [
      ['POST', '/api/admin/users', { name: 'bad name', role: 'council', scope: 'valle' }],
      ['POST', '/api/admin/users', { name: 'ok', role: 'device', scope: 'valle' }],
      ['POST', '/api/admin/users', { name: 'ok', role: 'council', scope: 'valle', password: 'short' }],
      ['POST', '/api/admin/users', { name: 'ok', role: 'council', scope: 'valle', password_hash: 'x' }],
      ['PATCH', '/api/admin/users/planner', {}],
      ['PATCH', '/api/admin/users/planner', { resetPassword: false }],
      ['PATCH', '/api/admin/users/planner', { password: 'a-long-enough-one', resetPassword: true }],
      ['POST', '/api/admin/devices', { id: 'x-plc' }],
      ['POST', '/api/admin/devices', { id: '$x', node: 'valle' }],
      ['PATCH', '/api/admin/devices/taller-1-plc', { secret: 'mine' }],
    ];
    for (const [method, path, body] of bad) {
      const res = await call('admin', method, path, body);
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
    }
    expect(modelText()).toEqual(before);
  });

  it('lets a council add a council inside its scope (password generated, shown once), and nothing above or outside', async () => {
    const before = modelText();
    const outside = await call('council-norte', 'POST', '/api/admin/users', {
      name: 'sur-2',
      role: 'council',
      scope: 'valle/sur',
    });
    expect(outside.status).toBe(404);
    const above = await call('council-norte', 'POST', '/api/admin/users', {
      name: 'norte-planner',
      role: 'planner',
      scope: 'valle/norte',
    });
    expect(above.status).toBe(403);
    const taken = await call('council-norte', 'POST', '/api/admin/users', {
      name: 'council-sur',
      role: 'council',
      scope: 'valle/norte',
    });
    expect(taken.status).toBe(409);
    expect(modelText()).toEqual(before);

    const added = await call<UserAnswer>('council-norte', 'POST', '/api/admin/users', {
      name: 'lana-2',
      displayName: 'Lana, turno de noche',
      role: 'council',
      scope: 'valle/norte/lana',
    });
    expect(added.status).toBe(201);
    expect(added.body.user).toEqual({
      name: 'lana-2',
      displayName: 'Lana, turno de noche',
      role: 'council',
      scope: 'valle/norte/lana',
      disabled: false,
    });
    const password = added.body.password!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await login(server.httpUrl, 'lana-2', password)).toEqual(expect.any(String));
    // Written into the model file: every comment kept, the hash there and the password nowhere.
    const after = modelText();
    expect(commentLines(after)).toEqual(commentLines(before));
    expect(after).toContain('  - name: lana-2\n    display_name: "Lana, turno de noche"\n    role: council\n');
    expect(after).not.toContain(password);
    // The list shows it; nothing shows the password again.
    const list = await call<AdminUser[]>('council-norte', 'GET', '/api/admin/users');
    expect(list.body.map((u) => u.name)).toContain('lana-2');
    expect(list.text).not.toContain(password);
  });

  it('answers 404 for a user outside the caller’s scope, as for one that does not exist, and changes nothing', async () => {
    const before = modelText();
    for (const name of ['council-sur', 'planner', 'admin', 'no-such-user']) {
      const res = await call<{ code: string }>('council-norte', 'PATCH', `/api/admin/users/${name}`, {
        disabled: true,
      });
      expect({ name, status: res.status, code: res.body.code }).toEqual({
        name,
        status: 404,
        code: 'OPS_ERR_NOT_FOUND',
      });
    }
    // Inside its scope, but not to a role above its own nor a scope outside its own.
    expect((await call('council-norte', 'PATCH', '/api/admin/users/coop-lana', { role: 'admin' })).status).toBe(403);
    expect((await call('council-norte', 'PATCH', '/api/admin/users/coop-lana', { scope: 'valle/sur' })).status).toBe(
      404,
    );
    expect((await call('council-norte', 'PATCH', '/api/admin/users/council-norte', { disabled: true })).status).toBe(
      403,
    );
    expect(modelText()).toEqual(before);
  });

  it('disabling a user ends their sessions and sockets at once; enabling lets them log in again', async () => {
    const token = await login(server.httpUrl, 'council-sur', creds.users['council-sur']!);
    const socket = await connectSocket(server.httpUrl, token);
    const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const res = await call<UserAnswer>('admin', 'PATCH', '/api/admin/users/council-sur', { disabled: true });
    expect(res.status).toBe(200);
    expect(res.body.user.disabled).toBe(true);
    expect((await call(token, 'GET', '/api/me')).status).toBe(401);
    await gone; // the socket sweep (250 ms) sees the session gone
    await expect(login(server.httpUrl, 'council-sur', creds.users['council-sur']!)).rejects.toThrow(/401/);
    expect(modelText()).toMatch(/- name: council-sur\n(?: {4}.*\n)*? {4}disabled: true\n/);
    await call('admin', 'PATCH', '/api/admin/users/council-sur', { disabled: false });
    expect(modelText()).not.toContain('disabled');
    expect(await login(server.httpUrl, 'council-sur', creds.users['council-sur']!)).toEqual(expect.any(String));
  });

  it('resets a password: a generated one answered once, or the one given; the old one and its sessions stop working', async () => {
    const session = await login(server.httpUrl, 'coop-lana', creds.users['coop-lana']!);
    const gen = await call<UserAnswer>('council-norte', 'PATCH', '/api/admin/users/coop-lana', {
      resetPassword: true,
    });
    expect(gen.status).toBe(200);
    const password = gen.body.password!;
    expect((await call(session, 'GET', '/api/me')).status).toBe(401);
    await expect(login(server.httpUrl, 'coop-lana', creds.users['coop-lana']!)).rejects.toThrow(/401/);
    expect(await login(server.httpUrl, 'coop-lana', password)).toEqual(expect.any(String));
    const given = await call<UserAnswer>('admin', 'PATCH', '/api/admin/users/coop-lana', {
      password: creds.users['coop-lana']!,
    });
    expect(given.status).toBe(200);
    expect(given.body.password).toBeUndefined();
    expect(await login(server.httpUrl, 'coop-lana', creds.users['coop-lana']!)).toEqual(expect.any(String));
  });

  it('provisions a device with a secret shown once, and shows its last contact and buffer health', async () => {
    const outside = await call('council-norte', 'POST', '/api/admin/devices', { id: 'sur-9-plc', node: 'valle/sur' });
    expect(outside.status).toBe(404);
    const nowhere = await call('admin', 'POST', '/api/admin/devices', { id: 'x-plc', node: 'valle/nowhere' });
    expect(nowhere.status).toBe(404);
    const dup = await call('admin', 'POST', '/api/admin/devices', { id: 'taller-1-plc', node: 'valle' });
    expect(dup.status).toBe(409);

    const made = await call<DeviceAnswer>('council-norte', 'POST', '/api/admin/devices', {
      id: 'taller-1-plc-b',
      node: 'valle/norte/lana/taller-1',
    });
    expect(made.status).toBe(201);
    const secret = made.body.secret!;
    expect(made.body.device).toMatchObject({
      id: 'taller-1-plc-b',
      node: 'valle/norte/lana/taller-1',
      disabled: false,
    });
    expect(modelText()).toContain(
      '  - id: taller-1-plc-b\n    node: valle/norte/lana/taller-1\n    secret_hash: "scrypt$',
    );
    expect(modelText()).not.toContain(secret);

    const device = await connectDevice(server.mqttUrl, 'taller-1-plc-b', secret);
    await device.publishAsync(
      deviceTopic('taller-1-plc-b', 'status'),
      JSON.stringify([
        { metric: 'agent_buffer_depth', value: 7, ts: Date.now() },
        { metric: 'agent_dropped_total', value: 0, ts: Date.now() },
      ]),
      { qos: 1 },
    );
    const listed = (await call<AdminDevice[]>('admin', 'GET', '/api/admin/devices')).body.find(
      (d) => d.id === 'taller-1-plc-b',
    )!;
    expect(listed).toMatchObject({ connected: true, buffer: { health: 'backlog', depth: 7, dropped: 0 } });
    expect(listed.lastContact).toBeGreaterThan(Date.now() - 10_000);
    await device.endAsync();
  });

  it('a disabled device is refused by the broker at once: its live connection closed, its next CONNECT refused', async () => {
    const id = 'taller-2-plc';
    const device = await connectDevice(server.mqttUrl, id, creds.devices[id]!);
    const closed = new Promise<number>((resolve) => device.once('close', () => resolve(Date.now())));
    const t0 = Date.now();
    const res = await call<DeviceAnswer>('council-norte', 'PATCH', `/api/admin/devices/${id}`, { disabled: true });
    expect(res.status).toBe(200);
    expect(res.body.device).toMatchObject({ disabled: true, connected: false });
    expect((await closed) - t0).toBeLessThan(2000);
    await expect(connectDevice(server.mqttUrl, id, creds.devices[id]!)).rejects.toThrow(/Not authorized|Bad user/i);
    // Enabled again: the same secret connects.
    await call('council-norte', 'PATCH', `/api/admin/devices/${id}`, { disabled: false });
    const back = await connectDevice(server.mqttUrl, id, creds.devices[id]!);
    expect(back.connected).toBe(true);
    await back.endAsync();
  });

  it('a hand edit of the file that disables a device closes its connection too (the same reload path)', async () => {
    const id = 'taller-4-plc';
    const device = await connectDevice(server.mqttUrl, id, creds.devices[id]!);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    const text = modelText();
    const at = text.indexOf(`  - id: ${id}\n`);
    expect(at).toBeGreaterThan(0);
    const lineEnd = text.indexOf('\n', at) + 1;
    writeFileSync(
      server.config.model,
      text.slice(0, lineEnd) + '    disabled: true   # by hand\n' + text.slice(lineEnd),
    );
    await closed; // the file watcher reloads it (250 ms debounce)
    await expect(connectDevice(server.mqttUrl, id, creds.devices[id]!)).rejects.toThrow(/Not authorized|Bad user/i);
    const listed = (await call<AdminDevice[]>('admin', 'GET', '/api/admin/devices')).body.find((d) => d.id === id);
    expect(listed?.disabled).toBe(true);
    // Enabled from the screen: the hand-written line goes, comment and all; the rest stays.
    await call('admin', 'PATCH', `/api/admin/devices/${id}`, { disabled: false });
    expect(modelText()).toEqual(text);
  }, 15_000);

  it('rotating a secret closes the live connection; the old secret is refused, the new one shown once works', async () => {
    const id = 'taller-3-plc';
    const device = await connectDevice(server.mqttUrl, id, creds.devices[id]!);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    const res = await call<DeviceAnswer>('admin', 'PATCH', `/api/admin/devices/${id}`, { rotateSecret: true });
    expect(res.status).toBe(200);
    await closed;
    await expect(connectDevice(server.mqttUrl, id, creds.devices[id]!)).rejects.toThrow(/Not authorized|Bad user/i);
    const fresh = await mqtt.connectAsync(server.mqttUrl, {
      username: id,
      password: res.body.secret!,
      reconnectPeriod: 0,
    });
    expect(fresh.connected).toBe(true);
    await fresh.endAsync();
    const outside = await call('council-sur', 'PATCH', `/api/admin/devices/${id}`, { rotateSecret: true });
    expect(outside.status).toBe(404);
  });
});
