import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { findBinary } from '../support/require-binary.js';
import { startConfiguredMosquitto, type ConfiguredMosquitto } from '../support/configured-mosquitto.js';
import { closesWithin, connectPacket, openSocket, remainingLength } from '../support/raw-mqtt.js';
import { connectDevice, demoCredentials, getJson, login, startTestServer } from '../support/demo-fixture.js';
import { recordAttacks } from '../support/attack-ledger.js';

const mosquitto = findBinary('mosquitto');
const d = mosquitto ? describe : describe.skip;

type Points = { points: Array<{ ts: number; value: number }> };
const ACCEPTED = /^opsroom_readings_accepted_total(?:\{\})? (\d+)$/m;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Issue 9 point 3 against a real Mosquitto configured only with what `opsroom broker-config`
 * writes: devices speak only for themselves, and the server ingests through its own account.
 */
d('a real Mosquitto configured by opsroom broker-config', () => {
  const creds = demoCredentials();
  const A = 'taller-1-plc'; // valle/norte/lana/taller-1
  const B = 'aserradero-plc'; // valle/sur/madera/aserradero
  const serverPassword = 'server-pw-for-the-test';
  let broker: ConfiguredMosquitto;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let planner: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    broker = await startConfiguredMosquitto(mosquitto!, serverPassword);
    server = await startTestServer({ brokerUrl: broker.serverUrl });
    planner = await login(server.httpUrl, 'planner', creds.users.planner!);
  }, 30_000);

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
    await server?.stop();
    await broker?.stop();
  });

  const device = async (id: string, secret = creds.devices[id]!) => {
    const c = await connectDevice(broker.url, id, secret);
    clients.push(c);
    return c;
  };
  const history = async (deviceId: string, from: number) =>
    (
      await getJson<Points>(
        server.httpUrl,
        `/api/history?node=${encodeURIComponent(server.model.devices.get(deviceId)!.node)}&indicator=output&from=${from}&to=${Date.now() + 1000}`,
        planner,
      )
    ).body.points;
  /**
   * Device A publishes at QoS 1 to a topic its ACL denies. Mosquitto 2.0.11 answers PUBACK with
   * reason 135 (not authorised) and then drops the connection, so each forgery gets its own
   * connection, and the publish settles on either the PUBACK or the close.
   */
  const forge = async (topic: string, payload: string) => {
    const c = await mqtt.connectAsync(broker.url, {
      username: A,
      password: creds.devices[A],
      clientId: `forger-${process.pid}-${forged++}`,
      reconnectPeriod: 0,
    });
    clients.push(c);
    await Promise.race([
      c.publishAsync(topic, payload, { qos: 1 }).catch(() => undefined),
      new Promise<void>((r) => c.once('close', () => r())),
    ]);
    await c.endAsync(true);
  };
  let forged = 0;
  const metric = async (re: RegExp) => {
    const m = re.exec(await (await fetch(`${server.httpUrl}/metrics`)).text());
    return m ? Number(m[1]) : 0;
  };
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> => {
    for (const until = Date.now() + ms; Date.now() < until; await sleep(100)) {
      const v = await probe();
      if (v !== undefined) return v;
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it("stores a device's readings on its own topic through the server's account", async () => {
    const t0 = Date.now() - 5_000;
    const a = await device(A);
    await a.publishAsync(deviceTopic(A, 'readings'), JSON.stringify({ metric: 'output', value: 41, ts: t0 }), {
      qos: 1,
    });
    const points = await waitFor("A's own reading in the store", async () => {
      const p = await history(A, t0 - 1);
      return p.length > 0 ? p : undefined;
    });
    expect(points).toEqual([{ ts: t0, value: 41 }]);
  });

  it("never stores what device A publishes on device B's readings topic", async () => {
    const t0 = Date.now() - 4_000;
    const acceptedBefore = await metric(ACCEPTED);
    await forge(deviceTopic(B, 'readings'), JSON.stringify({ metric: 'output', value: 666, ts: t0 }));
    await forge(deviceTopic(B, 'status'), JSON.stringify({ metric: 'output', value: 667, ts: t0 }));
    await forge('opsroom/v1/devices/+/readings', JSON.stringify({ metric: 'output', value: 668, ts: t0 })).catch(
      () => undefined,
    ); // not even a valid topic name
    // A marker on A's own topic, published after the forgeries: once it is stored, they were seen too.
    const a = await device(A);
    await a.publishAsync(deviceTopic(A, 'readings'), JSON.stringify({ metric: 'output', value: 42, ts: t0 + 1 }), {
      qos: 1,
    });
    await waitFor("A's marker reading", async () =>
      (await history(A, t0)).some((p) => p.value === 42) ? true : undefined,
    );
    expect(await history(B, t0 - 60_000)).toEqual([]);
    expect((await metric(ACCEPTED)) - acceptedBefore).toBe(1); // the marker only: the server never saw the forgeries
    recordAttacks("forged publishes on another device's topics (Mosquitto)", 3);
  });

  it("refuses device A a subscription to device B's commands, and B gets its own", async () => {
    const a = await device(A);
    const b = await device(B);
    // Mosquitto 2.0's acl_file grants these SUBSCRIBEs (SUBACK qos 1) and applies the ACL to each
    // message it would deliver instead: what matters is that nothing of B's ever reaches A.
    await a.subscribeAsync(deviceTopic(B, 'commands'), { qos: 1 });
    await a.subscribeAsync('opsroom/v1/devices/+/commands', { qos: 1 });
    await a.subscribeAsync('opsroom/v1/devices/#', { qos: 1 });
    await b.subscribeAsync(deviceTopic(B, 'commands'), { qos: 1 });
    const seenByA: string[] = [];
    const seenByB: string[] = [];
    a.on('message', (topic) => seenByA.push(topic));
    b.on('message', (topic) => seenByB.push(topic));

    // The server's account publishes a command for B (as an alert directive would). Its client id
    // becomes the account's name (use_username_as_clientid), so this briefly takes the server's own
    // session; the server's ingest reconnects a second later and nothing it was sent is lost.
    const svc = await mqtt.connectAsync(broker.url, {
      username: 'opsroom-server',
      password: serverPassword,
      clientId: `test-svc-${process.pid}`,
      reconnectPeriod: 0,
    });
    clients.push(svc);
    await svc.publishAsync(deviceTopic(B, 'commands'), JSON.stringify({ type: 'directive', note: 'test' }), { qos: 1 });
    // B's own readings are not A's to read either.
    await b.publishAsync(
      deviceTopic(B, 'readings'),
      JSON.stringify({ metric: 'output', value: 7, ts: Date.now() - 1000 }),
      { qos: 1 },
    );
    await waitFor("B's command", async () => (seenByB.length > 0 ? true : undefined));
    await sleep(300);
    expect(seenByB).toEqual([deviceTopic(B, 'commands')]);
    expect(seenByA).toEqual([]);
    recordAttacks("subscriptions to another device's commands and wildcards (Mosquitto)", 3);
  });

  it('disconnects a device sending a packet over the 1 MiB limit (max_packet_size from broker-config)', async () => {
    const s = await openSocket(broker.port);
    s.on('error', () => undefined);
    clients.push({ endAsync: async () => void s.destroy() } as unknown as MqttClient);
    s.write(connectPacket(`big-${process.pid}`, A, creds.devices[A]!));
    await new Promise<void>((resolve) => s.once('data', () => resolve())); // CONNACK
    const closed = closesWithin(s, 3000);
    s.write(Buffer.concat([Buffer.from([0x30]), remainingLength(2 * 1024 * 1024), Buffer.alloc(64 * 1024)]));
    expect(await closed).toBe(true);
    recordAttacks('packet over 1 MiB (Mosquitto)', 1);
  });

  it('refuses a device with a wrong secret, an unknown device and an anonymous client', async () => {
    await expect(connectDevice(broker.url, A, 'not-the-secret')).rejects.toThrow(
      /Not authorized|Bad User Name or Password/i,
    );
    await expect(connectDevice(broker.url, 'no-such-plc', 'x')).rejects.toThrow(
      /Not authorized|Bad User Name or Password/i,
    );
    await expect(
      mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId: `anon-${process.pid}` }),
    ).rejects.toThrow(/Not authorized|Bad User Name or Password/i);
    // …and a device cannot log in under the server's account with its own secret.
    await expect(connectDevice(broker.url, 'opsroom-server', creds.devices[A]!)).rejects.toThrow(
      /Not authorized|Bad User Name or Password/i,
    );
    recordAttacks('wrong secret, unknown device, anonymous, device as the server account (Mosquitto)', 4);
  });
});
