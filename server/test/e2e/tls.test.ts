import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { demoCredentials, startTestServer } from '../support/demo-fixture.js';
import { findBinary } from '../support/require-binary.js';
import { selfSignedCert } from '../support/self-signed.js';

const openssl = findBinary('openssl');
const d = openssl ? describe : describe.skip;

function httpsGet(
  url: string,
  ca: Buffer,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

d('TLS for HTTP and MQTT when certificate paths are given', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-tls-'));
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let ca: Buffer;
  beforeAll(async () => {
    const { cert, key } = selfSignedCert(openssl!, dir);
    ca = readFileSync(cert);
    server = await startTestServer({ tlsCert: cert, tlsKey: key });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with HSTS', async () => {
    expect(server.httpUrl).toMatch(/^https:/);
    const res = await httpsGet(`${server.httpUrl}/healthz`, ca);
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
  });

  it('accepts devices over mqtts and refuses plain MQTT on that port', async () => {
    expect(server.mqttUrl).toMatch(/^mqtts:/);
    const [deviceId, secret] = Object.entries(demoCredentials().devices)[0]!;
    const device = await mqtt.connectAsync(server.mqttUrl, {
      username: deviceId,
      password: secret,
      ca,
      reconnectPeriod: 0,
    });
    await device.publishAsync(deviceTopic(deviceId, 'readings'), JSON.stringify({ metric: 'output', value: 1 }), {
      qos: 1,
    });
    await device.endAsync();
    const plain = mqtt.connect(server.mqttUrl.replace('mqtts:', 'mqtt:'), {
      username: deviceId,
      password: secret,
      reconnectPeriod: 0,
      connectTimeout: 2000,
    });
    const connectedInPlain = await new Promise<boolean>((resolve) => {
      plain.once('connect', () => resolve(true));
      plain.once('close', () => resolve(false));
      plain.once('error', () => resolve(false));
    });
    plain.end(true);
    expect(connectedInPlain).toBe(false);
    const metrics = await httpsGet(`${server.httpUrl}/metrics`, ca);
    expect(metrics.body).toMatch(/^opsroom_readings_accepted_total 1$/m);
  });
});
