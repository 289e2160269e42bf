import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { AdminDevice } from '@opsroom/models/http';
import {
  connectDevice,
  demoCredentials,
  getJson,
  login,
  publishEach,
  startTestServer,
} from '../support/demo-fixture.js';

/**
 * A device that went quiet before a restart is still shown as quiet since then: after the restart its last
 * contact (GET /api/admin/devices) is the time of its newest stored reading, not null ("not heard since the
 * server started"). A device that never sent stays null.
 */
describe('device last contact across a restart (embedded store)', () => {
  const creds = demoCredentials();
  const [deviceId, secret] = Object.entries(creds.devices)[0]!;
  const [silentId] = Object.keys(creds.devices).slice(1);
  const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-last-contact-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts from the newest stored reading of each device', async () => {
    const newest = Date.now() - 120_000;
    const first = await startTestServer({ dataDir });
    const device = await connectDevice(first.mqttUrl, deviceId, secret);
    await publishEach(device, deviceId, [
      { ts: newest - 2000, value: 10 },
      { ts: newest, value: 11 },
      { ts: newest - 1000, value: 12 }, // late: not the newest
    ]);
    await device.endAsync();
    await first.stop();

    const second = await startTestServer({ dataDir });
    try {
      const token = await login(second.httpUrl, 'admin', creds.users.admin!);
      const devices = (await getJson<AdminDevice[]>(second.httpUrl, '/api/admin/devices', token)).body;
      expect(devices.find((d) => d.id === deviceId)).toMatchObject({ lastContact: newest, connected: false });
      expect(devices.find((d) => d.id === silentId)).toMatchObject({ lastContact: null });
    } finally {
      await second.stop();
    }
  }, 60_000);
});
