import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { demoCredentials, startTestServer } from '../support/demo-fixture.js';
import { rawConnect } from '../support/raw-mqtt.js';
import { recordAttacks } from '../support/attack-ledger.js';

/**
 * Issue 16 point 6: hostile clients cannot flood the log, nothing secret reaches it (not even a
 * password typed as a user name), and unauthenticated routes show no absolute paths.
 */
describe('logs and public answers', () => {
  const creds = demoCredentials();
  const A = 'taller-1-plc';
  const logLines: string[] = [];
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({
      logger: { level: 'debug', stream: { write: (line: string) => void logLines.push(line) } },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('writes a few lines, not 5,000, for one SUBSCRIBE with 5,000 refused filters', async () => {
    const device = await mqtt.connectAsync(server.mqttUrl, {
      username: A,
      password: creds.devices[A],
      reconnectPeriod: 0,
    });
    const before = logLines.length;
    const filters = Array.from({ length: 5000 }, (_, i) => deviceTopic(`other-${i}`, 'commands'));
    // Every filter is refused (SUBACK 0x80 each), which mqtt.js reports as an error.
    await expect(device.subscribeAsync(filters, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    await device.endAsync();
    const refusals = logLines.slice(before).filter((l) => l.includes('refused subscription'));
    expect(refusals.length).toBeLessThanOrEqual(5);
    expect(logLines.length - before).toBeLessThan(50);
    recordAttacks('one SUBSCRIBE with 5,000 refused filters meant to flood the log', 1);
  }, 20_000);

  it('never logs a password typed as a user name, over HTTP or MQTT', async () => {
    const typo = 'Tr0ub4dor-typed-as-a-name';
    const res = await fetch(`${server.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: typo, password: 'x' }),
    });
    expect(res.status).toBe(401);
    expect(await rawConnect(server.mqttPort!, { username: `${typo}-mqtt`, password: 'x' })).toBe(4);
    expect(await rawConnect(server.mqttPort!, { username: A, password: `${typo}-secret` })).toBe(4);
    await new Promise((r) => setTimeout(r, 100));
    expect(logLines.some((l) => l.includes('login refused'))).toBe(true);
    expect(logLines.join('')).not.toContain(typo);
    recordAttacks('passwords typed as user names (HTTP, MQTT) and a secret to be logged', 3);
  });

  it('shows no absolute path on /healthz', async () => {
    const text = await (await fetch(`${server.httpUrl}/healthz`)).text();
    expect(text).not.toContain(server.dataDir);
    expect(text).not.toMatch(/"[^"]*\s\/[^"\s]*\//);
    expect(JSON.parse(text)).toMatchObject({
      status: 'ok',
      components: { store: { detail: expect.stringContaining('opsroom.db') } },
    });
    recordAttacks('absolute paths on /healthz', 1);
  });
});
