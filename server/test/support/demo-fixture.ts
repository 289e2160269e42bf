import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { deviceTopic, type ClientToServerEvents, type ServerToClientEvents } from '@opsroom/models';
import { startOpsroom, type RunningOpsroom, type StartOptions } from '../../src/index.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const EXAMPLE_MODEL = join(REPO_ROOT, 'models/examples/valle.yaml');

export interface DemoCredentials {
  users: Record<string, string>;
  devices: Record<string, string>;
}

export function demoCredentials(): DemoCredentials {
  return JSON.parse(
    readFileSync(join(REPO_ROOT, 'models/examples/valle.demo-credentials.json'), 'utf8'),
  ) as DemoCredentials;
}

/**
 * The server on free loopback ports with a fresh data directory; `stop()` closes it and removes the
 * directory. Without `model`, it runs on a copy of the example model in that directory, so the
 * admin routes (which write the model file) never change the repository's example.
 */
export async function startTestServer(
  opts: StartOptions = {},
): Promise<RunningOpsroom & { dataDir: string; stop(): Promise<void> }> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'opsroom-test-'));
  let model = opts.model;
  if (model === undefined) {
    model = join(dataDir, 'model.yaml');
    copyFileSync(EXAMPLE_MODEL, model);
  }
  const running = await startOpsroom({
    host: '127.0.0.1',
    httpPort: 0,
    mqttPort: 0,
    dataDir,
    model,
    logger: false,
    ...opts,
  });
  return {
    ...running,
    dataDir,
    async stop() {
      await running.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function login(httpUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function getJson<T>(httpUrl: string, path: string, token: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
}

export type OpsClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket.io client authenticated by bearer token, resolved once the server said hello. */
export async function connectSocket(httpUrl: string, token: string): Promise<OpsClient> {
  const socket: OpsClient = io(httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('hello', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export async function connectDevice(mqttUrl: string, deviceId: string, secret: string): Promise<MqttClient> {
  return mqtt.connectAsync(mqttUrl, {
    username: deviceId,
    password: secret,
    clientId: `test-${deviceId}-${process.pid}`,
    reconnectPeriod: 0,
  });
}

/** Publishes `points` as `output` readings of the device, one message each, each acknowledged (QoS 1) before the next. */
export async function publishEach(
  device: MqttClient,
  deviceId: string,
  points: ReadonlyArray<{ ts: number; value: number }>,
): Promise<void> {
  for (const p of points)
    await device.publishAsync(
      deviceTopic(deviceId, 'readings'),
      JSON.stringify({ metric: 'output', value: p.value, ts: p.ts }),
      { qos: 1 },
    );
}

/** Resolves with the first event of that name whose payload passes `match`, or rejects after `ms`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: OpsClient,
  event: E,
  match: (...args: Parameters<ServerToClientEvents[E]>) => boolean,
  ms = 10_000,
): Promise<Parameters<ServerToClientEvents[E]>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler as never);
      reject(new Error(`no ${String(event)} event within ${ms} ms`));
    }, ms);
    const handler = (...args: Parameters<ServerToClientEvents[E]>) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      socket.off(event, handler as never);
      resolve(args);
    };
    socket.on(event, handler as never);
  });
}
