// The server on an external broker over TLS whose certificate comes from the region's own CA (not a public
// one): with --broker-ca it trusts that CA and ingests; without it, it refuses to start and says why.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { resolveConfig } from '../../src/config/config.js';
import { startOpsroom, type RunningOpsroom } from '../../src/start.js';
import { demoCredentials, EXAMPLE_MODEL, getJson, login } from '../support/demo-fixture.js';
import { startMosquitto, type RunningMosquitto } from '../support/mosquitto.js';
import { findBinary } from '../support/require-binary.js';
import { selfSignedCert } from '../support/self-signed.js';

const mosquitto = findBinary('mosquitto');
const openssl = findBinary('openssl');
const d = mosquitto && openssl ? describe : describe.skip;

d('the server on Mosquitto over TLS with a certificate of its own CA (--broker-ca)', () => {
  let broker: RunningMosquitto;
  let dir: string;
  let ca: string;
  let tlsUrl: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-broker-ca-'));
    const { cert, key } = selfSignedCert(openssl!, dir); // its own CA: the certificate signs itself
    ca = cert;
    // As root, Mosquitto drops privileges to its own user, which could not read the 0600 key.
    const asRoot = process.getuid?.() === 0 ? ['user root'] : [];
    broker = await startMosquitto(mosquitto!, [...asRoot, `certfile ${cert}`, `keyfile ${key}`]);
    tlsUrl = `mqtts://127.0.0.1:${broker.port}`;
  }, 30_000);
  afterAll(async () => {
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function config(flags: Record<string, string>) {
    const dataDir = mkdtempSync(join(dir, 'data-'));
    return resolveConfig(
      { ...flags, model: EXAMPLE_MODEL, 'data-dir': dataDir, host: '127.0.0.1', 'http-port': '0' },
      {},
    );
  }

  it('refuses to start without the CA, naming the broker and the certificate problem', async () => {
    await expect(startOpsroom({ ...config({ 'broker-url': tlsUrl }), logger: false })).rejects.toThrow(
      new RegExp(`cannot connect to the MQTT broker at mqtts://127\\.0\\.0\\.1:${broker.port}.*self[- ]signed`, 'i'),
    );
  });

  it('trusts the CA given and stores a reading a device sent over TLS', async () => {
    const running: RunningOpsroom = await startOpsroom({
      ...config({ 'broker-url': tlsUrl, 'broker-ca': ca }),
      logger: false,
    });
    try {
      const id = 'taller-1-plc';
      const device = await mqtt.connectAsync(tlsUrl, {
        clientId: `test-${id}-${process.pid}`,
        username: id,
        password: demoCredentials().devices[id]!,
        ca: readFileSync(ca),
        reconnectPeriod: 0,
      });
      const ts = Date.now() - 1000;
      await device.publishAsync(deviceTopic(id, 'readings'), JSON.stringify({ metric: 'water', value: 7.25, ts }), {
        qos: 1,
      });
      await device.endAsync();
      const token = await login(running.httpUrl, 'admin', demoCredentials().users.admin!);
      const node = running.model.devices.get(id)!.node;
      let points: Array<{ ts: number; value: number }> = [];
      for (let i = 0; i < 100 && points.length === 0; i++) {
        points = (
          await getJson<{ points: typeof points }>(
            running.httpUrl,
            `/api/history?node=${encodeURIComponent(node)}&indicator=water&from=${ts - 1}&to=${ts + 1}`,
            token,
          )
        ).body.points;
        if (points.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(points).toEqual([{ ts, value: 7.25 }]);
    } finally {
      await running.close();
    }
  });
});
