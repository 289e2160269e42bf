// `docker stop` sends SIGTERM to the image's command, which runs as PID 1. This runs that exact
// command (the runtime stage's ENTRYPOINT + CMD, with its ENV, from the repository root as the image's
// WORKDIR /app holds it) as a child process on a temporary data directory and free loopback ports,
// sends it SIGTERM, and checks a clean, flushed exit; then starts it again on the same directory.
// What differs from the container: the source tree instead of the image's pruned copy (the same
// files: the image runs the TypeScript sources through tsx, no build step), HOST 127.0.0.1 instead
// of 0.0.0.0. Where `unshare --pid` is allowed (root), the command also runs as PID 1 of a PID
// namespace of its own and gets SIGTERM from outside it, as `docker stop` sends it: the kernel then
// applies no default action, so only the server's own handler can stop it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from '@jest/globals';
import { deviceTopic } from '@opsroom/models';
import { CHECKPOINT_FILE } from '../../src/vsm/detector-checkpoint.js';
import { connectDevice, demoCredentials, EXAMPLE_MODEL, getJson, login, REPO_ROOT } from '../support/demo-fixture.js';
import { dockerfileEnv, dockerfileStage, execForm } from '../support/docker-files.js';

const runtime = dockerfileStage(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'), 'runtime');
const command = [...execForm(runtime, 'ENTRYPOINT'), ...execForm(runtime, 'CMD')];

/** `unshare --pid --fork` runs a command as PID 1 of a new PID namespace (needs root). */
const UNSHARE = ['unshare', '--pid', '--fork', '--kill-child', '--'];
const canRunAsPid1 =
  spawnSync(UNSHARE[0]!, [...UNSHARE.slice(1), 'sh', '-c', 'test $$ -eq 1'], { timeout: 10_000 }).status === 0;
if (!canRunAsPid1)
  console.warn('SKIP: unshare --pid is not permitted here; the image command is tested as an ordinary child only');

interface Running {
  child: ChildProcess;
  /** The pid of the server process itself (inside unshare, not unshare's). */
  serverPid: number;
  /** The pid the server's own log lines report (1 inside its own PID namespace). */
  loggedPid: number | undefined;
  httpUrl: string;
  mqttUrl: string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

/** The image's command, as the container runs it, on this data directory. */
async function startImageCommand(dataDir: string, asPid1 = false): Promise<Running> {
  const [program, ...args] = command;
  expect(program).toBe('node');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OPSROOM_')) env[k] = v;
  Object.assign(env, dockerfileEnv(runtime), {
    NODE_OPTIONS: '', // jest's --experimental-vm-modules is not in the image
    OPSROOM_HOST: '127.0.0.1',
    OPSROOM_DATA_DIR: dataDir,
    OPSROOM_HTTP_PORT: '0',
    OPSROOM_MQTT_PORT: '0',
    OPSROOM_MODEL: EXAMPLE_MODEL,
  });
  const argv = asPid1 ? [...UNSHARE, process.execPath, ...args] : [process.execPath, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  let loggedPid: number | undefined;
  const urls = await new Promise<{ httpUrl: string; mqttUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 60 s\n${stderr}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      loggedPid ??= Number(/"pid":(\d+)/.exec(line)?.[1]) || undefined;
      const m = /^\s*opsroom is running: (\S+) {2}\(MQTT (\S+)\)$/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolve({ httpUrl: m[1]!, mqttUrl: m[2]! });
    });
    void exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before starting\n${stderr}`));
    });
  });
  // With unshare, the server is unshare's only child.
  const serverPid = asPid1
    ? Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim())
    : child.pid!;
  return { child, serverPid, loggedPid, ...urls, stderr: () => stderr, exit };
}

describe(`the image's command (${command.join(' ')})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-image-sigterm-'));
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, boolean]> = [['as a child process', false]];
  if (canRunAsPid1) cases.push(['as PID 1 of its own PID namespace, signalled from outside it', true]);

  it.each(cases)(
    '%s: exits 0 on SIGTERM after flushing, and the readings published before it are there after a restart',
    async (_how, asPid1) => {
      const dataDir = join(dir, asPid1 ? 'data-pid1' : 'data');
      const creds = demoCredentials();
      const id = 'taller-1-plc';
      const node = 'valle/norte/lana/taller-1'; // its node in the example model
      const t0 = Date.now() - 60_000;
      const readings = Array.from({ length: 20 }, (_, i) => ({ metric: 'water', value: 10 + i, ts: t0 + i * 1000 }));

      const first = await startImageCommand(dataDir, asPid1);
      if (asPid1) expect(first.loggedPid).toBe(1);
      const device = await connectDevice(first.mqttUrl, id, creds.devices[id]!);
      for (const r of readings) await device.publishAsync(deviceTopic(id, 'readings'), JSON.stringify(r), { qos: 1 });
      await device.endAsync();
      // Written only by a graceful close (the periodic checkpoint is every 5 minutes).
      const ckpt = join(dataDir, CHECKPOINT_FILE);
      expect(existsSync(ckpt)).toBe(false);
      process.kill(first.serverPid, 'SIGTERM');
      const exited = await first.exit;
      expect({ ...exited, stderr: first.stderr().includes('SIGTERM: shutting down') }).toEqual({
        code: 0,
        signal: null,
        stderr: true,
      });
      expect(existsSync(ckpt)).toBe(true);

      const second = await startImageCommand(dataDir, asPid1);
      const token = await login(second.httpUrl, 'admin', creds.users.admin!);
      const history = await getJson<{ points: Array<{ ts: number; value: number }> }>(
        second.httpUrl,
        `/api/history?node=${encodeURIComponent(node)}&indicator=water&from=${t0 - 1}&to=${t0 + 60_000}`,
        token,
      );
      expect(history.status).toBe(200);
      expect(history.body.points).toEqual(readings.map((r) => ({ ts: r.ts, value: r.value })));
      process.kill(second.serverPid, 'SIGTERM');
      expect(await second.exit).toEqual({ code: 0, signal: null });
    },
    120_000,
  );
});
