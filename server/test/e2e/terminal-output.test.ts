// What a person sees in the terminal of `opsroom start` (issue 20 point 6): the start-up log lines,
// then the banner as the last thing printed; no per-request log lines at the default level (they
// are there at --log-level debug); one calm line on Ctrl-C (SIGINT) and nothing more.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { EXAMPLE_MODEL, REPO_ROOT } from '../support/demo-fixture.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Session {
  stdout: string[];
  stderr: string[];
  code: number | null;
  /** stdout lines printed before the first request was made (start-up). */
  startup: string[];
}

/** Starts `opsroom start`, waits for its banner, makes a few requests, sends SIGINT, collects everything. */
async function session(extraArgs: string[]): Promise<Session> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-terminal-'));
  dirs.push(dataDir);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OPSROOM_')) env[k] = v;
  env.NODE_OPTIONS = '';
  const child = spawn(
    process.execPath,
    [
      'server/bin/opsroom.js',
      'start',
      '--http-port',
      '0',
      '--mqtt-port',
      '0',
      '--data-dir',
      dataDir,
      '--model',
      EXAMPLE_MODEL,
      ...extraArgs,
    ],
    {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  let outBuf = '';
  let errBuf = '';
  let onOut: (() => void) | null = null;
  child.stdout!.on('data', (d: Buffer) => {
    outBuf += d.toString();
    const parts = outBuf.split('\n');
    outBuf = parts.pop()!;
    stdout.push(...parts);
    onOut?.();
  });
  child.stderr!.on('data', (d: Buffer) => {
    errBuf += d.toString();
    const parts = errBuf.split('\n');
    errBuf = parts.pop()!;
    stderr.push(...parts);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no banner within 60 s:\n${stdout.join('\n')}\n${stderr.join('\n')}`)),
      60_000,
    );
    onOut = () => {
      const m = stdout.map((l) => /^ {2}opsroom is running: (\S+)/.exec(l)).find(Boolean);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    void exited.then((code) => reject(new Error(`exited ${code} before its banner:\n${stderr.join('\n')}`)));
  });
  // The banner's trailing blank line arrives with it; let anything else still buffered come out.
  await new Promise((r) => setTimeout(r, 300));
  const startup = [...stdout];
  for (const path of ['/healthz', '/api/alerts', '/api/model', '/nowhere'])
    await fetch(url + path).then((r) => r.arrayBuffer());
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  const code = await exited;
  if (outBuf) stdout.push(outBuf);
  if (errBuf) stderr.push(errBuf);
  return { stdout, stderr, code, startup };
}

describe('opsroom start in a terminal', () => {
  it('prints its banner last at start-up, no request logs at info, and one calm line on Ctrl-C', async () => {
    const s = await session([]);
    const bannerAt = s.startup.findIndex((l) => l.startsWith('  opsroom is running: '));
    expect(bannerAt).toBeGreaterThan(0);
    // Start-up log lines (JSON) come before it; after it only its own text and blank lines.
    expect(
      s.startup.slice(0, bannerAt).some((l) => l.includes('"opsroom started"') || l.includes('opsroom started')),
    ).toBe(true);
    expect(s.startup.slice(bannerAt).filter((l) => l.startsWith('{'))).toEqual([]);
    expect(s.startup[bannerAt - 1]).toBe('');
    // Four requests were made: none of them is logged at the default level, nor is the shutdown.
    expect(s.stdout.slice(s.startup.length).filter((l) => l.trim() !== '')).toEqual([]);
    expect(s.stderr.filter((l) => l.trim() !== '')).toEqual([
      'SIGINT: shutting down cleanly (saving state, flushing the store)…',
    ]);
    expect(s.code).toBe(0);
  }, 90_000);

  it('logs every request at --log-level debug', async () => {
    const s = await session(['--log-level', 'debug']);
    const requests = s.stdout.filter((l) => l.startsWith('{') && l.includes('"request completed"'));
    expect(requests.map((l) => (JSON.parse(l) as { res: { statusCode: number } }).res.statusCode).sort()).toEqual(
      expect.arrayContaining([200, 401, 404]),
    );
    expect(s.code).toBe(0);
  }, 90_000);
});
