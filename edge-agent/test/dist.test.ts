import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deviceTopic } from '@opsroom/models';
import { AGENT_NODE_FLAGS, buildAgent } from '../scripts/build-agent.js';
import { startTestBroker, type TestBroker } from './support/aedes-broker.js';
import { startChild, until, type Child } from './support/processes.js';

const DEVICE = 'dist-1';
const SECRET = 'dist-pw';
// Inside the package (dist/ is git-ignored), so the built file finds better-sqlite3 in node_modules as it would when installed.
const OUT_DIR = fileURLToPath(new URL(`../dist/test-${process.pid}/`, import.meta.url));
// The file's shebang runs `node` from PATH: make that this node.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };

describe('the production build (npm run build: dist/opsroom-agent.cjs)', () => {
  let file: string;
  let dir: string;
  let broker: TestBroker;
  let agent: Child | undefined;
  let http: Server;
  beforeAll(async () => {
    http = createServer((_req, res) => res.end(JSON.stringify({ room: { temp: 21.5 } })));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    mkdirSync(OUT_DIR, { recursive: true });
    file = (await buildAgent({ outfile: join(OUT_DIR, 'opsroom-agent.cjs') })).outfile;
    dir = mkdtempSync(join(tmpdir(), 'opsroom-dist-'));
    broker = await startTestBroker({ users: { [DEVICE]: SECRET } });
  }, 30_000);
  afterAll(async () => {
    agent?.proc.kill('SIGKILL');
    await broker?.close();
    await new Promise((r) => http?.close(r));
    rmSync(OUT_DIR, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('is one executable file that starts node with the memory flags', () => {
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${AGENT_NODE_FLAGS.join(' ')}`);
  });

  it('prints its usage when run directly', async () => {
    const child = startChild(file, ['--help'], { env });
    expect(await child.exited).toBe(0);
    expect(child.output()).toMatch(/Usage:\n {2}opsroom-agent --config FILE/);
  });

  it('buffers in SQLite, publishes (an http source too: fetch works under its flags), acknowledges a directive, stops cleanly on SIGTERM and reports its status', async () => {
    const config = join(dir, 'agent.yaml');
    const httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    writeFileSync(
      config,
      [
        `deviceId: ${DEVICE}`,
        `secret: ${SECRET}`,
        `brokerUrl: ${broker.url}`,
        'sampleIntervalMs: 50',
        'statusIntervalMs: 60000',
        'bufferDir: ./buffer',
        'sources:',
        '  - kind: simulated',
        '    metrics:',
        '      t: { base: 20, noise: 1 }',
        '  - kind: http',
        `    url: ${httpUrl}`,
        '    metrics: { room_temp: $.room.temp }',
        '',
      ].join('\n'),
    );
    let readings = 0;
    const metrics = new Set<string>();
    const status: string[] = [];
    let subscribed = false;
    broker.broker.on('publish', (packet, client) => {
      if (client && packet.topic === deviceTopic(DEVICE, 'readings')) {
        const rs = JSON.parse(packet.payload.toString()) as Array<{ metric: string }>;
        readings += rs.length;
        for (const r of rs) metrics.add(r.metric);
      }
      if (client && packet.topic === deviceTopic(DEVICE, 'status')) status.push(packet.payload.toString());
    });
    broker.broker.on('subscribe', (subs) => {
      if (subs.some((s) => s.topic === deviceTopic(DEVICE, 'commands'))) subscribed = true;
    });
    const a = startChild(file, ['--config', config, '--log-level', 'warn'], { env });
    agent = a;
    await until(
      'readings from both sources of the built agent',
      () => readings >= 5 && metrics.has('t') && metrics.has('room_temp') && subscribed,
      8000,
      a.output,
    );
    // By now env(1) has exec'd node in the same process: its command line carries the flags.
    const cmdline = readFileSync(`/proc/${a.proc.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline[0]).toMatch(/node$/);
    expect(cmdline).toEqual(expect.arrayContaining([...AGENT_NODE_FLAGS]));
    broker.broker.publish(
      {
        cmd: 'publish',
        topic: deviceTopic(DEVICE, 'commands'),
        payload: Buffer.from(JSON.stringify({ type: 'directive', alert: 'alert-9' })),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => {},
    );
    await until(
      'the directive ack',
      () => status.some((s) => s.includes('"directive-ack"') && s.includes('alert-9')),
      5000,
      a.output,
    );
    a.proc.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    agent = undefined;
    const st = startChild(file, ['--status', '--json', '--config', config], { env });
    expect(await st.exited).toBe(3);
    expect(JSON.parse(st.output())).toMatchObject({ running: false, deviceId: DEVICE, stopped: true, queued: 0 });
  }, 20_000);
});
