/**
 * `npm run bench:federation -- [--devices N] [--seconds S] [--layouts single,federated] [--client raw|mqttjs]`: issue
 * 19 point 6, the cores
 * used. N devices (default 10,000), one MQTT connection each, publish one reading a second at QoS 1 for S seconds
 * (default 30, after 10 s of warm-up), in two layouts, each server a process of its own:
 *
 *  - `single`: one server runs the whole tree (every device on its embedded broker);
 *  - `federated`: two council servers run half the tree each (half the devices on each one's broker) and send their
 *    roll-ups up to a region server (issue 19 point 2).
 *
 * The load comes from two generator processes (half the devices each), each device a lean MQTT 3.1.1 socket
 * (`--client raw`, the default: the same packets as mqtt.js at a fraction of its CPU, which on two cores the
 * generators would take from the servers they measure) or an mqtt.js client (`--client mqttjs`, the first figures'
 * load). Prints, per layout: PUBACK latency p50, p99
 * and max (from publish to the broker's acknowledgement, which the embedded broker sends once the reading is
 * stored), readings acknowledged per second, and each server's CPU (share of one core) over the measured span.
 * Device secrets are hashed with a cheap scrypt cost (N=1024) so that 10,000 logins take seconds; the product's
 * default cost is 16× that.
 */
import { fork } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { spawnServer, type ServerProcess } from '../test/support/server-process.js';
import { connectPacket, openSocket, remainingLength } from '../test/support/raw-mqtt.js';

const SECRET = 'bench-secret';
const COUNCILS = ['c0', 'c1'] as const;
const WORKSHOPS_PER_COUNCIL = 50;

/** scrypt$N$r$p$salt$key at a cheap cost (the loader accepts any well-formed cost). */
function cheapHash(plain: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(plain, salt, 32, { N: 1024, r: 8, p: 1 });
  return `scrypt$1024$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** The tree valle → c0, c1 → 50 workshops each; devices round-robin over the workshops; `servers:` when federated. */
function modelText(devices: number, federated: boolean): { text: string; devicesOf: Record<string, string[]> } {
  const hash = cheapHash(SECRET);
  const lines = [
    'name: Federation bench',
    'levels: [region, council, workshop]',
    'indicators:',
    '  - { id: output, unit: units/h, rollup: sum }',
    'nodes:',
    '  - id: valle',
    '    children:',
  ];
  for (const c of COUNCILS) {
    lines.push(`      - id: ${c}`, '        children:');
    for (let w = 0; w < WORKSHOPS_PER_COUNCIL; w++) lines.push(`          - { id: w${w} }`);
  }
  lines.push('devices:');
  const devicesOf: Record<string, string[]> = { c0: [], c1: [] };
  for (let i = 0; i < devices; i++) {
    const c = COUNCILS[i % 2]!;
    const w = Math.floor(i / 2) % WORKSHOPS_PER_COUNCIL;
    lines.push(`  - { id: d${i}, node: valle/${c}/w${w}, secret_hash: "${hash}" }`);
    devicesOf[c]!.push(`d${i}`);
  }
  lines.push('users:', `  - { name: boss, role: planner, scope: valle, password_hash: "${hash}" }`);
  if (federated)
    lines.push(
      'servers:',
      '  - { id: region, owns: [valle] }',
      ...COUNCILS.map((c) => `  - { id: ${c}, owns: [valle/${c}], parent: region, secret_hash: "${hash}" }`),
    );
  return { text: lines.join('\n') + '\n', devicesOf };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** One layout's run: PUBACK latency quantiles (ms), readings acknowledged per second, each server's CPU (% of a core). */
export interface LayoutResult {
  layout: 'single' | 'federated';
  devices: number;
  ackedPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  cpu: Record<string, number>;
}

interface GeneratorResult {
  latencies: number[];
  connected: number;
}

/** The load's MQTT clients: mqtt.js (one MqttClient per device), or `raw`: a few lines of MQTT 3.1.1 per device. */
export type LoadClient = 'mqttjs' | 'raw';

/**
 * One device of the `raw` load: a TCP socket speaking just enough MQTT 3.1.1 (CONNECT, PUBLISH at QoS 1, PUBACK,
 * PINGREQ): the same packets on the wire as mqtt.js sends, at a fraction of its CPU, so that on two cores the
 * generators take less from the servers they measure. `publish` resolves at the broker's PUBACK.
 */
async function rawDevice(url: string, id: string): Promise<LoadDevice> {
  const { port } = new URL(url);
  const socket = await openSocket(Number(port));
  socket.setNoDelay(true);
  const topic = Buffer.from(deviceTopic(id, 'readings'));
  const waiting = new Map<number, () => void>();
  let connack: (() => void) | undefined;
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, d]) : d;
    while (pending.length >= 2) {
      let len = 0;
      let mult = 1;
      let i = 1;
      for (; i < pending.length; i++) {
        len += (pending[i]! & 0x7f) * mult;
        mult *= 128;
        if ((pending[i]! & 0x80) === 0) break;
      }
      if (i >= pending.length || pending.length < i + 1 + len) return;
      const type = pending[0]! >> 4;
      if (type === 2)
        connack?.(); // CONNACK (a refusal closes the socket)
      else if (type === 4) {
        const pid = pending.readUInt16BE(i + 1);
        waiting.get(pid)?.();
        waiting.delete(pid);
      }
      pending = pending.subarray(i + 1 + len);
    }
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    connack = resolve;
    socket.once('close', () => reject(new Error(`${id}: the broker closed the connection at CONNECT`)));
    socket.write(connectPacket(id, id, SECRET));
  });
  const ping = setInterval(() => socket.write(Buffer.from([0xc0, 0])), 30_000); // keep-alive is 60 s
  let nextId = 0;
  return {
    publish(payload) {
      const body = Buffer.from(payload);
      nextId = (nextId % 65535) + 1;
      const pid = nextId;
      const head = Buffer.alloc(2 + topic.length + 2);
      head.writeUInt16BE(topic.length, 0);
      topic.copy(head, 2);
      head.writeUInt16BE(pid, 2 + topic.length);
      socket.write(Buffer.concat([Buffer.from([0x32]), remainingLength(head.length + body.length), head, body]));
      return new Promise<void>((resolve) => waiting.set(pid, resolve));
    },
    end() {
      clearInterval(ping);
      socket.destroy();
    },
  };
}

/** One device of the load: publishes one reading (resolves at the broker's PUBACK) and disconnects. */
interface LoadDevice {
  publish(payload: string): Promise<unknown>;
  end(): unknown;
}

/** A device as an mqtt.js client (`--client mqttjs`). */
async function mqttjsDevice(url: string, id: string): Promise<LoadDevice> {
  const c = await mqtt.connectAsync(url, {
    username: id,
    password: SECRET,
    clientId: id,
    reconnectPeriod: 1000,
    keepalive: 60,
    log: () => undefined,
  } as mqtt.IClientOptions);
  const topic = deviceTopic(id, 'readings');
  return { publish: (payload) => c.publishAsync(topic, payload, { qos: 1 }), end: () => c.endAsync(true) };
}

/** One generator process: connects its devices, publishes a reading a second each, reports latencies in the span. */
async function generator(): Promise<void> {
  const { url, devices, warmupMs, seconds, client } = JSON.parse(process.argv[3]!) as {
    url: string;
    devices: string[];
    warmupMs: number;
    seconds: number;
    client: LoadClient;
  };
  const connect = client === 'raw' ? rawDevice : mqttjsDevice;
  const clients: LoadDevice[] = [];
  let next = 0;
  // At most 12 logins in flight per generator: the broker allows 30 in flight per address.
  await Promise.all(
    Array.from({ length: 12 }, async () => {
      while (next < devices.length) clients.push(await connect(url, devices[next++]!));
    }),
  );
  process.send!({ connected: clients.length });
  const start = await new Promise<number>((r) => process.once('message', (m: { start: number }) => r(m.start)));
  const from = start + warmupMs;
  const until = from + seconds * 1000;
  const latencies: number[] = [];
  const timers = clients.map((c, i) => {
    const tick = () => {
      const sent = Date.now();
      c.publish(JSON.stringify({ metric: 'output', value: 100 + (i % 7), ts: sent })).then(
        () => {
          if (sent >= from && sent < until) latencies.push(Date.now() - sent);
        },
        () => undefined, // not acknowledged: not counted
      );
    };
    // spread over the second
    return setTimeout(
      () => {
        tick();
        timers[i] = setInterval(tick, 1000);
      },
      Math.floor((i / clients.length) * 1000),
    );
  });
  await new Promise((r) => setTimeout(r, until - Date.now() + 2000));
  for (const t of timers) clearInterval(t);
  // exit only once the result is through the IPC channel (process.send is asynchronous: an exit right after it
  // could lose it, and the bench would wait for ever)
  await new Promise<void>((r) =>
    process.send!({ latencies, connected: clients.length } satisfies GeneratorResult, () => r()),
  );
  await Promise.all(clients.map((c) => c.end()));
  process.exit(0);
}

export async function runLayout(
  layout: 'single' | 'federated',
  devices: number,
  seconds: number,
  client: LoadClient = 'mqttjs',
): Promise<LayoutResult> {
  const dir = mkdtempSync(join(tmpdir(), `opsroom-bench-fed-${layout}-`));
  const servers: Array<{ name: string; p: ServerProcess }> = [];
  const gens: ReturnType<typeof fork>[] = [];
  try {
    const { text, devicesOf } = modelText(devices, layout === 'federated');
    const model = join(dir, 'model.yaml');
    writeFileSync(model, text);
    const base = { model, logger: { level: 'error' } };
    const targets: Array<{ url: string; devices: string[] }> = [];
    if (layout === 'single') {
      const one = await spawnServer({ ...base, dataDir: join(dir, 'one') }, 120_000);
      servers.push({ name: 'server', p: one });
      for (const c of COUNCILS) targets.push({ url: one.mqttUrl, devices: devicesOf[c]! });
    } else {
      // The region's broker on a port the system picks as it binds (a port chosen beforehand can be taken
      // meanwhile: with 10,000 device connections just closed, most of the ephemeral range is in use).
      const region = await spawnServer({ ...base, serverId: 'region', dataDir: join(dir, 'region') }, 120_000);
      servers.push({ name: 'region', p: region });
      for (const c of COUNCILS) {
        const council = await spawnServer(
          {
            ...base,
            serverId: c,
            dataDir: join(dir, c),
            uplinkUrl: region.mqttUrl,
            uplinkSecret: SECRET,
          },
          120_000,
          // BENCH_PROF_DIR=DIR: a CPU profile of each council server, written when it stops
          process.env.BENCH_PROF_DIR
            ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF_DIR}`] }
            : {},
        );
        servers.push({ name: c, p: council });
        targets.push({ url: council.mqttUrl, devices: devicesOf[c]! });
      }
    }
    process.stderr.write(
      `bench:federation: ${layout}: ${servers.length} server(s) up; connecting ${devices} devices\n`,
    );
    const warmupMs = 10_000;
    const connected = targets.map(
      (t) =>
        new Promise<void>((resolve, reject) => {
          const g = fork(
            fileURLToPath(import.meta.url),
            ['--generator', JSON.stringify({ ...t, warmupMs, seconds, client })],
            {
              execArgv: ['--import', 'tsx'],
            },
          );
          gens.push(g);
          g.once('message', () => resolve());
          g.once('exit', (code) => reject(new Error(`a load generator exited with ${code}`)));
        }),
    );
    await Promise.all(connected);
    const start = Date.now();
    process.stderr.write(
      `bench:federation: ${layout}: all connected; ${warmupMs / 1000} s warm-up, ${seconds} s measured\n`,
    );
    const results = gens.map(
      (g) =>
        new Promise<GeneratorResult>((resolve, reject) => {
          g.once('message', (m) => resolve(m as GeneratorResult));
          g.once('exit', (code) => reject(new Error(`a load generator exited (${code}) without its result`)));
        }),
    );
    for (const g of gens) g.send({ start });
    await new Promise((r) => setTimeout(r, warmupMs));
    const cpu0 = servers.map((s) => cpuSeconds(s.p.child.pid!));
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu1 = servers.map((s) => cpuSeconds(s.p.child.pid!));
    const elapsed = (Date.now() - t0) / 1000;
    const latencies = (await Promise.all(results)).flatMap((r) => r.latencies).sort((a, b) => a - b);
    const cpu: Record<string, number> = {};
    servers.forEach((s, i) => (cpu[s.name] = Math.round((100 * (cpu1[i]! - cpu0[i]!)) / elapsed)));
    return {
      layout,
      devices,
      ackedPerSecond: Math.round(latencies.length / seconds),
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) ?? NaN,
      cpu,
    };
  } finally {
    for (const g of gens) if (g.exitCode === null) g.kill('SIGKILL');
    for (const s of servers.reverse()) await s.p.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '30' },
      layouts: { type: 'string', default: 'single,federated' },
      client: { type: 'string', default: 'raw' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench:federation -- [--devices N (10000)] [--seconds S (30)] [--layouts single,federated] ' +
        '[--client raw|mqttjs (raw, the default: a lean MQTT 3.1.1 socket per device; mqttjs: an mqtt.js client each)]\n',
    );
    return;
  }
  const devices = Number(values.devices);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(devices) || devices < 2 || !(seconds > 0)) {
    process.stderr.write('bench:federation: --devices must be a whole number >= 2 and --seconds above 0\n');
    process.exitCode = 2;
    return;
  }
  const rows = [];
  for (const layout of values.layouts.split(',') as Array<'single' | 'federated'>)
    rows.push(await runLayout(layout, devices, seconds, values.client === 'mqttjs' ? 'mqttjs' : 'raw'));
  for (const r of rows)
    process.stdout.write(
      `${r.layout}: ${r.devices} devices, ${r.ackedPerSecond} acknowledged/s, PUBACK p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
        `max ${r.max} ms; CPU ${Object.entries(r.cpu)
          .map(([k, v]) => `${k} ${v} %`)
          .join(', ')}\n`,
    );
}

// Run as a script (npm run bench:federation, or forked as a generator); imported by run.ts for runLayout alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--generator') await generator();
  else await main();
}
