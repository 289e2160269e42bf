import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from '@jest/globals';
import { DataDirInUseError, lockDataDir } from '../../src/config/data-dir-lock.js';
import { REPO_ROOT } from '../support/demo-fixture.js';

/**
 * Issue 19 point 5: the data directory's lock is held by the kernel for as long as its process lives. A server
 * SIGKILLed leaves nothing stale behind, and two standbys racing for the directory it held cannot both take it.
 */
const LOCK_MODULE = join(REPO_ROOT, 'server/src/config/data-dir-lock.ts');

/** A process that tries the lock every 10 ms for up to 5 s, then holds it; prints `locked <pid>` or `gave up`. */
function contender(dir: string): { child: ChildProcess; said: Promise<string> } {
  const script =
    `import { lockDataDir } from ${JSON.stringify(LOCK_MODULE)};` +
    `const until = Date.now() + 5000;` +
    `const tryIt = () => { try { lockDataDir(${JSON.stringify(dir)}); console.log('locked ' + process.pid); }` +
    ` catch { if (Date.now() < until) return setTimeout(tryIt, 10); console.log('gave up'); } };` +
    `tryIt(); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const said = new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { child, said };
}

const killed = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });

describe('the data directory lock across processes (issue 19 point 5)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-lockproc-'));
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) await killed(c);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is free the moment its holder is SIGKILLed, and only one of two racing standbys takes it', async () => {
    const a = contender(dir);
    children.push(a.child);
    expect(await a.said).toBe(`locked ${a.child.pid}`);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir)).toThrow(`pid ${a.child.pid}`);

    const b = contender(dir);
    const c = contender(dir);
    children.push(b.child, c.child);
    await new Promise((r) => setTimeout(r, 1000)); // both are trying
    await killed(a.child);
    const first = await Promise.race([b.said, c.said]);
    expect(first).toMatch(/^locked \d+$/);
    const loser = first === `locked ${b.child.pid}` ? c : b;
    expect(await loser.said).toBe('gave up'); // after its 5 s of trying: never two holders
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
  }, 30_000);
});
