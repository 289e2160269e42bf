import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (bound, then released). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The lines of a mosquitto.conf written by `opsroom broker-config`, minus its `listener` line and
 * comments: passed as `extraConf`, they follow the harness's own loopback listener, so its
 * per-listener settings apply there exactly as they would after the file's own listener.
 */
export function generatedConfLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('listener '));
}

export interface RunningMosquitto {
  url: string;
  port: number;
  /** The mosquitto process (to read its memory). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * A real Mosquitto on a free loopback port, configured as docker-compose's is where it matters
 * (no silent drops: max_queued_messages 0, max_inflight_messages 0). `extraConf` adds lines
 * (password_file, acl_file…); without it anonymous clients are allowed.
 */
export async function startMosquitto(binary: string, extraConf: string[] = []): Promise<RunningMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      extraConf.some((l) => l.startsWith('password_file')) ? 'allow_anonymous false' : 'allow_anonymous true',
      'persistence false',
      'max_queued_messages 0',
      'max_inflight_messages 0',
      ...extraConf,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitForPort(port, 5000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`mosquitto did not start: ${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RestartableMosquitto {
  url: string;
  /** Starts it (again) on the same port and persistence directory; resolves once it listens. */
  start(): Promise<void>;
  /** SIGTERM writes the persistence file; SIGKILL loses what was not written. */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Kills it and removes its directory. */
  remove(): Promise<void>;
}

/**
 * A real Mosquitto that can be stopped and started again on the same loopback port and
 * persistence directory (`persistence`: whether it keeps sessions and queued messages across
 * a restart), configured like docker-compose's (no silent drops).
 */
export function restartableMosquitto(binary: string, port: number, persistence: boolean): RestartableMosquitto {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-mq-restart-'));
  chmodSync(dir, 0o777); // started as root, Mosquitto writes its persistence file as its own user
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `persistence ${persistence}`,
      `persistence_location ${dir}/`,
      'max_queued_messages 0',
      'max_inflight_messages 0',
      'log_dest none',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | null = null;
  const stop = async (signal: NodeJS.Signals) => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill(signal);
    await exited;
    child = null;
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      child = spawn(binary, ['-c', conf], { stdio: 'ignore' });
      await waitForPort(port, 5000);
    },
    stop,
    async remove() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
