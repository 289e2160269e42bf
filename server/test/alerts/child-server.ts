// The server in a child process for the SIGKILL tests (fixtures/alert-server.ts): start it on a data
// dir, kill it with SIGKILL, wait for something over HTTP. Every child started is in `children`, so
// a test's afterAll can kill what is left.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/alert-server.ts', import.meta.url));
const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));

export interface Running {
  child: ChildProcess;
  httpUrl: string;
  mqttUrl: string;
  startedAt: number;
  readyAt: number;
}

export function startServer(dataDir: string, model: string): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir, model], {
      cwd: SERVER_DIR,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server not ready within 15 s: ${err}`)), 15_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const m = /^READY (.*)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, ...(JSON.parse(m[1]!) as Omit<Running, 'child'>) });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`server exited before it was ready (code ${code}, signal ${signal}): ${err}`));
    });
  });
}

export function sigkill(r: Running): Promise<void> {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
    r.child.once('exit', () => resolve());
    r.child.kill('SIGKILL');
  });
}

export const children = new Set<ChildProcess>();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Polls `probe` every 50 ms until it gives a value, for at most `ms`. */
export async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
