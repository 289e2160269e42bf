import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { deviceTopic } from '@opsroom/models';
import { startAgent, type Logger, type RunningAgent } from '../src/index.js';

// The shared helper lives in the server's test tree (another TypeScript project), so it is
// loaded by path at run time rather than imported by the compiler.
const REQUIRE_BINARY = new URL('../../server/test/support/require-binary.ts', import.meta.url).href;
const { findBinary } = (await import(REQUIRE_BINARY)) as { findBinary: (name: string) => string | null };
const SELF_SIGNED = new URL('../../server/test/support/self-signed.ts', import.meta.url).href;
const { selfSignedCert } = (await import(SELF_SIGNED)) as {
  selfSignedCert: (openssl: string, dir: string, name?: string) => { cert: string; key: string };
};
const openssl = findBinary('openssl');
const d = openssl ? describe : describe.skip;

const DEVICE = 'tr-1';
const SECRET = 'tr-secret';

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Listening {
  broker: Aedes;
  port: number;
  /** Readings messages the broker received from the device, and its status messages. */
  readings: number;
  status: string[];
  /** The device subscribed to its commands topic. */
  subscribed: boolean;
  close(): Promise<void>;
}

/** An aedes broker accepting DEVICE behind `listen` (a TLS or WebSocket server). */
async function brokerBehind(kind: 'tls' | 'ws', tlsFiles?: { cert: string; key: string }): Promise<Listening> {
  const broker = await Aedes.createBroker({
    authenticate: (_c, username, password, done) => done(null, username === DEVICE && password?.toString() === SECRET),
  });
  let server: Server;
  let wss: WebSocketServer | undefined;
  if (kind === 'tls') {
    server = createTlsServer({ cert: readFileSync(tlsFiles!.cert), key: readFileSync(tlsFiles!.key) }, (socket) =>
      broker.handle(socket),
    );
  } else {
    server = createHttpServer();
    wss = new WebSocketServer({ server: server as ReturnType<typeof createHttpServer> });
    wss.on('connection', (ws) => broker.handle(createWebSocketStream(ws)));
  }
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s: import('node:net').Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const l: Listening = {
    broker,
    port: (server.address() as AddressInfo).port,
    readings: 0,
    status: [],
    subscribed: false,
    async close() {
      wss?.clients.forEach((c) => c.terminate());
      wss?.close();
      await new Promise<void>((r) => broker.close(() => r()));
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  broker.on('publish', (packet, client) => {
    if (!client) return;
    if (packet.topic === deviceTopic(DEVICE, 'readings')) l.readings++;
    if (packet.topic === deviceTopic(DEVICE, 'status')) l.status.push(packet.payload.toString());
  });
  broker.on('subscribe', (subs) => {
    if (subs.some((s) => s.topic === deviceTopic(DEVICE, 'commands'))) l.subscribed = true;
  });
  return l;
}

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const noop = () => {};
  return {
    errors,
    debug: noop,
    info: noop,
    warn: noop,
    error: (obj: unknown) => errors.push(String((obj as { err?: string }).err ?? obj)),
  };
}

d('the agent over mqtts:// and ws:// brokers', () => {
  let dir: string;
  let good: { cert: string; key: string };
  let other: { cert: string; key: string };
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-transports-'));
    good = selfSignedCert(openssl!, dir, 'broker');
    other = selfSignedCert(openssl!, dir, 'other');
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes over mqtts:// to a broker whose certificate the configured CA signed, and acknowledges a directive', async () => {
    const b = await brokerBehind('tls', good);
    cleanups.push(() => b.close());
    const agent: RunningAgent = await startAgent({
      deviceId: DEVICE,
      secret: SECRET,
      brokerUrl: `mqtts://127.0.0.1:${b.port}`,
      tls: { ca: good.cert },
      sampleIntervalMs: 20,
      statusIntervalMs: 60_000,
    });
    cleanups.push(() => agent.stop());
    await until('readings over TLS', () => b.readings >= 3 && agent.stats().published > 0);
    await until('the commands subscription', () => b.subscribed);
    b.broker.publish(
      {
        cmd: 'publish',
        topic: deviceTopic(DEVICE, 'commands'),
        payload: Buffer.from(JSON.stringify({ type: 'directive', alert: 'alert-7' })),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => {},
    );
    await until('the directive ack', () =>
      b.status.some((s) => s.includes('"directive-ack"') && s.includes('alert-7')),
    );
    expect(agent.stats().directives).toBe(1);
  });

  it('refuses a broker whose certificate the configured CA did not sign, keeps the readings and says why', async () => {
    const b = await brokerBehind('tls', good);
    cleanups.push(() => b.close());
    const logger = recordingLogger();
    const agent = await startAgent(
      {
        deviceId: DEVICE,
        secret: SECRET,
        brokerUrl: `mqtts://127.0.0.1:${b.port}`,
        tls: { ca: other.cert },
        sampleIntervalMs: 20,
        reconnectPeriodMs: 100,
      },
      { logger },
    );
    cleanups.push(() => agent.stop());
    await until('a TLS error', () => logger.errors.length > 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(logger.errors[0]).toMatch(/self[- ]signed|certificate/i);
    expect(b.readings).toBe(0);
    expect(agent.stats()).toMatchObject({ connected: false, published: 0 });
    expect(agent.stats().queued).toBeGreaterThan(0);
  });

  it('publishes over ws://', async () => {
    const b = await brokerBehind('ws');
    cleanups.push(() => b.close());
    const agent = await startAgent({
      deviceId: DEVICE,
      secret: SECRET,
      brokerUrl: `ws://127.0.0.1:${b.port}/mqtt`,
      sampleIntervalMs: 20,
    });
    cleanups.push(() => agent.stop());
    await until('readings over WebSocket', () => b.readings >= 3 && agent.stats().published > 0);
    expect(agent.stats().connected).toBe(true);
  });
});
