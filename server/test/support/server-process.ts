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

/**
 * The server in a child process (so a test can SIGKILL it), started by
 * server/test/support/fixtures/start-server.ts with the given StartOptions as JSON.
 */
export async function spawnServer(options: Record<string, unknown>, timeoutMs = 20_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'server/test/support/fixtures/start-server.ts'), JSON.stringify(options)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const started = await new Promise<{ httpUrl: string; mqttUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
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
