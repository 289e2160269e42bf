import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './demo-fixture.js';

export interface ServerProcess {
  httpUrl: string;
  mqttUrl: string;
  child: ChildProcess;
  /** SIGKILL: no shutdown code runs. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Extra flags for node (e.g. --expose-gc). */
  nodeArgs?: string[];
  /** Open an IPC channel: the fixture then answers `{ memory: true }` (see memoryAfterGc). */
  ipc?: boolean;
}

/** process.memoryUsage() of the child after it ran a full garbage collection (needs --expose-gc and ipc). */
export function memoryAfterGc(child: ChildProcess, timeoutMs = 10_000): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not report its memory')), timeoutMs);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve((m as { memory: NodeJS.MemoryUsage }).memory);
    });
    child.send({ memory: true });
  });
}

/**
 * The server in a child process (so a test can SIGKILL it), started by
 * server/test/support/fixtures/start-server.ts with the given StartOptions as JSON.
 */
export async function spawnServer(
  options: Record<string, unknown>,
  timeoutMs = 20_000,
  proc: SpawnOptions = {},
): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(proc.nodeArgs ?? []),
      '--import',
      'tsx',
      join(REPO_ROOT, 'server/test/support/fixtures/start-server.ts'),
      JSON.stringify(options),
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe', ...(proc.ipc ? (['ipc'] as const) : [])],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const started = await new Promise<{ httpUrl: string; mqttUrl: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start within ${timeoutMs} ms\n${stderr}`)),
      timeoutMs,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{"started"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { started: { httpUrl: string; mqttUrl: string } }).started);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting\n${stderr}`));
    });
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    ...started,
    child,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
