// The embedded store's durability promise: after a SIGKILL it has lost nothing it acknowledged.
// A child process writes batches and prints how many points were acknowledged after each
// writeBatch resolved; the test kills it mid-stream, reopens the database, and looks for every one.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { openDatabase } from '../../src/store/sqlite-db.js';

const T0 = 1_700_000_000_000; // as in fixtures/crash-writer.ts
const NODES = 20;
const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the writer until it has acknowledged at least `minAcked` points, SIGKILLs it, returns the last count it printed. */
function runAndKill(dataDir: string, minAcked: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, '500'], {
      cwd: SERVER_DIR,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acked = 0;
    let pending = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const m = /^acked (\d+)$/.exec(line);
        if (m && !killed) acked = Number(m[1]);
      }
      if (!killed && acked >= minAcked) {
        killed = true;
        child.kill('SIGKILL'); // mid-stream: the writer is inside or between transactions
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve(acked);
      else reject(new Error(`writer exited early (code ${code}, signal ${signal}): ${stderr}`));
    });
  });
}

describe('SqliteStore after a SIGKILL', () => {
  let dir: string;
  let acked: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsroom-crash-'));
    acked = await runAndKill(dir, 20_000);
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reopens a database that passes SQLite integrity check', () => {
    const db = openDatabase(dir);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('holds every point it acknowledged before the kill', async () => {
    expect(acked).toBeGreaterThanOrEqual(20_000);
    const store = SqliteStore.open(dir);
    try {
      expect(await store.count()).toBeGreaterThanOrEqual(acked);
      const seen = new Set<number>();
      const wrong: string[] = [];
      for (let node = 0; node < NODES; node++) {
        const points = await store.query({ node: `n${node}`, metric: 'output', from: T0, to: T0 + acked - 1 });
        for (const p of points) {
          // point n is stored as (T0 + n, n) in node n % NODES
          if (p.ts !== T0 + p.value || p.value % NODES !== node) wrong.push(`n${node} ${p.ts} ${p.value}`);
          seen.add(p.value);
        }
      }
      expect(wrong).toEqual([]);
      const missing: number[] = [];
      for (let n = 0; n < acked; n++) if (!seen.has(n)) missing.push(n);
      expect(missing).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
