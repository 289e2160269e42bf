// The server's password on an external broker reaches the broker whole, whatever characters it has:
// through OPSROOM_BROKER_USERNAME / OPSROOM_BROKER_PASSWORD (as docker-compose.yml passes them), or
// percent-encoded in the broker URL. Before, a password in the URL went to mqtt.js, which splits a
// URL's user info at its last ':'; docker-compose.yml interpolated it into the URL unencoded.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deviceTopic } from '@opsroom/models';
import { resolveConfig } from '../../src/config/config.js';
import { startOpsroom, type RunningOpsroom } from '../../src/start.js';
import { findBinary } from '../support/require-binary.js';
import { startConfiguredMosquitto, type ConfiguredMosquitto } from '../support/configured-mosquitto.js';
import { connectDevice, demoCredentials, EXAMPLE_MODEL, getJson, login } from '../support/demo-fixture.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every character a URL's user info treats specially, and a '%41' that must not be decoded. */
const PASSWORD = 'p:w@d/#?%41 x';
const mosquitto = findBinary('mosquitto');
const d = mosquitto ? describe : describe.skip;

d('the server on Mosquitto with a password full of URL delimiters', () => {
  let broker: ConfiguredMosquitto;
  const dirs: string[] = [];
  beforeAll(async () => {
    broker = await startConfiguredMosquitto(mosquitto!, PASSWORD);
  }, 30_000);
  afterAll(async () => {
    await broker?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function start(flags: Record<string, string>, env: Record<string, string>): Promise<RunningOpsroom> {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-broker-pw-'));
    dirs.push(dataDir);
    const config = resolveConfig(
      { ...flags, model: EXAMPLE_MODEL, 'data-dir': dataDir, host: '127.0.0.1', 'http-port': '0' },
      env,
    );
    return startOpsroom({ ...config, logger: false });
  }

  it('connects with the password in OPSROOM_BROKER_PASSWORD, and ingests a device reading through the broker', async () => {
    const running = await start(
      { 'broker-url': `mqtt://127.0.0.1:${broker.port}` },
      { OPSROOM_BROKER_USERNAME: 'opsroom-server', OPSROOM_BROKER_PASSWORD: PASSWORD },
    );
    try {
      const id = 'taller-1-plc';
      const device = await connectDevice(broker.url, id, demoCredentials().devices[id]!);
      const ts = Date.now() - 1000;
      await device.publishAsync(deviceTopic(id, 'readings'), JSON.stringify({ metric: 'water', value: 42.5, ts }), {
        qos: 1,
      });
      await device.endAsync();
      const token = await login(running.httpUrl, 'admin', demoCredentials().users.admin!);
      const node = running.model.devices.get(id)!.node;
      let points: Array<{ ts: number; value: number }> = [];
      for (let i = 0; i < 50 && points.length === 0; i++) {
        points = (
          await getJson<{ points: typeof points }>(
            running.httpUrl,
            `/api/history?node=${encodeURIComponent(node)}&indicator=water&from=${ts - 1}&to=${ts + 1}`,
            token,
          )
        ).body.points;
        if (points.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(points).toEqual([{ ts, value: 42.5 }]);
    } finally {
      await running.close();
    }
  }, 30_000);

  it('connects with the password percent-encoded in the broker URL', async () => {
    const running = await start(
      { 'broker-url': `mqtt://opsroom-server:${encodeURIComponent(PASSWORD)}@127.0.0.1:${broker.port}` },
      {},
    );
    await running.close();
  }, 30_000);

  it('is refused by the broker with a wrong password (the broker does check it)', async () => {
    await expect(
      start(
        { 'broker-url': `mqtt://127.0.0.1:${broker.port}` },
        { OPSROOM_BROKER_USERNAME: 'opsroom-server', OPSROOM_BROKER_PASSWORD: 'p:w@d/#?%41' },
      ),
    ).rejects.toThrow(/cannot connect to the MQTT broker.*(Not authorized|Bad username)/i);
  }, 30_000);
});
