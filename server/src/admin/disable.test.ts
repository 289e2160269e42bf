import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toColumns, type Model, type ReadingBatch } from '@opsroom/models';
import { tinyModel } from '../../test/support/tiny-model.js';
import { hashSecret } from '../auth/hash.js';
import { Sessions } from '../auth/sessions.js';
import { authenticateClient, revokedDevices } from '../broker/broker-auth.js';
import { parseModel } from '../model/load-model.js';
import { bufferHealth, DeviceContacts } from './device-contacts.js';

const VALLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models/examples/valle.yaml');
const service = { username: '$opsroom-server', password: 'x' };
const fastVerify = async (plain: string, hash: string) => hash === `h:${plain}`;

describe('disabled users and devices', () => {
  it('reads `disabled: true` from the model file and refuses anything but true or false', () => {
    const text = readFileSync(VALLE, 'utf8')
      .replace('  - id: taller-1-plc\n', '  - id: taller-1-plc\n    disabled: true\n')
      .replace('  - name: planner\n', '  - name: planner\n    disabled: false\n');
    const { model, problems } = parseModel(text, 'valle.yaml');
    expect(problems).toEqual([]);
    expect(model!.devices.get('taller-1-plc')!.disabled).toBe(true);
    expect(model!.devices.get('taller-2-plc')!.disabled).toBeUndefined();
    expect(model!.users.get('planner')!.disabled).toBeUndefined();
    const bad = parseModel(text.replace('disabled: true', 'disabled: "yes"'), 'valle.yaml');
    expect(bad.problems.map((p) => p.message)).toEqual(['"disabled" must be true or false, not the text "yes"']);
  });

  it('the broker refuses a disabled device even with the right secret', async () => {
    const devices = new Map([['d', { id: 'd', node: 'r', secretHash: 'h:s' }]]);
    expect(await authenticateClient('d', Buffer.from('s'), devices, service, fastVerify)).toEqual({
      kind: 'device',
      deviceId: 'd',
    });
    devices.set('d', { id: 'd', node: 'r', secretHash: 'h:s', disabled: true } as never);
    expect(await authenticateClient('d', Buffer.from('s'), devices, service, fastVerify)).toBeNull();
  });

  it('a model change revokes the connections of devices removed, disabled or given a new secret', () => {
    const d = (id: string, extra = {}) => [id, { id, node: 'r', secretHash: `h:${id}`, ...extra }] as const;
    const before = new Map([d('kept'), d('gone'), d('off'), d('rotated'), d('was-off', { disabled: true })]);
    const after = new Map([
      d('kept'),
      d('off', { disabled: true }),
      ['rotated', { id: 'rotated', node: 'r', secretHash: 'h:new' }] as const,
      d('was-off'),
      d('new'),
    ]);
    expect(revokedDevices(before, after).sort()).toEqual(['gone', 'off', 'rotated']);
  });

  it("ends a disabled user's sessions and refuses their login as a wrong password", async () => {
    let model: Model = tinyModel();
    model.users.set('boss', { name: 'boss', role: 'planner', scope: 'r', passwordHash: hashSecret('right') });
    const s = new Sessions(() => model, { ttlMs: 60_000, now: () => 0 });
    const { token } = await s.login('boss', 'right', 'a');
    expect(s.lookup(token)).not.toBeNull();
    model = { ...model, users: new Map(model.users) };
    model.users.set('boss', { ...model.users.get('boss')!, disabled: true });
    expect(s.lookup(token)).toBeNull();
    await expect(s.login('boss', 'right', 'a')).rejects.toMatchObject({ code: 'OPS_ERR_BAD_CREDENTIALS' });
  });
});

describe('DeviceContacts: last contact and buffer health from the status readings', () => {
  const batch = (deviceId: string, readings: Array<[string, number]>): ReadingBatch => ({
    ...toColumns(readings.map(([metric, value]) => ({ metric, value, ts: 1 }))),
    deviceId,
    node: 'r',
  });

  it('keeps the time of the last message and the agent health of the last status', () => {
    const clock = { t: 1000 };
    const c = new DeviceContacts(() => clock.t);
    expect(c.get('d')).toBeUndefined();
    c.observe(batch('d', [['output', 5]]), 'readings');
    expect(c.get('d')).toEqual({ lastContact: 1000, health: 'unknown' });
    clock.t = 2000;
    c.observe(
      batch('d', [
        ['agent_buffer_depth', 12],
        ['agent_dropped_total', 0],
        ['agent_connected', 1],
        ['agent_last_publish_age_s', 0.5],
      ]),
      'status',
    );
    expect(c.get('d')).toEqual({
      lastContact: 2000,
      statusAt: 2000,
      bufferDepth: 12,
      dropped: 0,
      agentConnected: true,
      lastPublishAgeS: 0.5,
      health: 'backlog',
    });
    clock.t = 3000;
    c.observe(
      batch('d', [
        ['agent_buffer_depth', 500],
        ['agent_dropped_total', 4],
      ]),
      'status',
    );
    expect(c.get('d')).toMatchObject({ lastContact: 3000, health: 'dropping', dropped: 4 });
    c.observe(batch('d', [['output', 5]]), 'readings');
    expect(c.get('d')).toMatchObject({ statusAt: 3000, health: 'dropping' }); // readings leave the health as it was
  });

  it('grades the buffer: ok when empty, backlog when readings wait, dropping when drops grew', () => {
    expect(bufferHealth({})).toBe('unknown');
    expect(bufferHealth({ bufferDepth: 0, dropped: 2 }, 2)).toBe('ok');
    expect(bufferHealth({ bufferDepth: 3, dropped: 2 }, 2)).toBe('backlog');
    expect(bufferHealth({ bufferDepth: 0, dropped: 3 }, 2)).toBe('dropping');
  });
});
