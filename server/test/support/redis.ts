// A real Redis (Debian package `redis-server`) for tests: on a free 127.0.0.1 port, no persistence (a restart starts
// empty, the harder case for the shared live events), stopped by the test that started it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { findBinary } from './require-binary.js';
import { freePort } from './victoria-metrics.js';

export interface RunningRedis {
  url: string;
  port: number;
  /** SIGKILL (an outage, nothing saved); start() brings it back, empty, on the same port. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The binary, or null (the test skips) when it is not installed outside CI. */
export function redisBinary(): string | null {
  return findBinary('redis-server');
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port }, () => c.write('PING\r\n'));
    c.setTimeout(500, () => c.destroy());
    c.once('data', (d) => {
      c.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    c.once('error', () => resolve(false));
    c.once('close', () => resolve(false));
  });
}

export async function startRedis(binary: string, timeoutMs = 10_000): Promise<RunningRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    child = proc;
    exited = new Promise((r) => proc.once('exit', () => r()));
    for (const until = Date.now() + timeoutMs; !(await answersPing(port));) {
      if (proc.exitCode !== null || Date.now() > until) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const kill = async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, start, stop: kill };
}
