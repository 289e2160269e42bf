// A real VictoriaMetrics (Debian package `victoria-metrics`) for tests: started on a free
// 127.0.0.1 port with a temporary data directory, stopped (SIGTERM) and removed by stop().
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './require-binary.js';

/** The flags the VictoriaMetrics store wants (server/src/store/README.md), plus a retention long enough for fixed 2023 test data. */
export const STORE_FLAGS = ['-dedup.minScrapeInterval=1ms', '-search.latencyOffset=0s', '-retentionPeriod=100y'];

export interface RunningVictoriaMetrics {
  url: string;
  dataDir: string;
  process: ChildProcess;
  /** Makes every acknowledged write readable now (VictoriaMetrics buffers them for up to ~1 s). */
  flush(): Promise<void>;
  /** SIGTERM, wait for the exit, remove the data directory. Idempotent. */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The binary, or null (the test skips) when it is not installed outside CI. */
export function victoriaMetricsBinary(): string | null {
  return findBinary('victoria-metrics');
}

export async function startVictoriaMetrics(
  binary: string,
  flags: readonly string[] = STORE_FLAGS,
  timeoutMs = 15_000,
): Promise<RunningVictoriaMetrics> {
  const dataDir = await mkdtemp(join(tmpdir(), 'opsroom-vm-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      binary,
      [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dataDir}`, '-loggerLevel=ERROR', ...flags],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const until = Date.now() + timeoutMs;
    let healthy = false;
    while (!healthy && child.exitCode === null && Date.now() < until) {
      try {
        healthy = (await fetch(`${url}/health`)).ok;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    if (healthy) {
      let stopped = false;
      return {
        url,
        dataDir,
        process: child,
        async flush() {
          await (await fetch(`${url}/internal/force_flush`)).arrayBuffer();
        },
        async stop() {
          if (stopped) return;
          stopped = true;
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    }
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    // The port may have been taken between freePort() and the bind: try another once or twice.
    if (attempt >= 3) {
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(`VictoriaMetrics did not become healthy at ${url} within ${timeoutMs} ms: ${stderr.slice(-500)}`);
    }
  }
}
