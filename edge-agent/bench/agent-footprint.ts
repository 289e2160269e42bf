/**
 * How small the agent is (issue 6, point 7): runs the agent CLI as a child process at 100
 * readings per second against a local aedes broker for ~20 s and samples its resident memory
 * (/proc/<pid>/status VmRSS) and CPU time (/proc/<pid>/stat utime + stime).
 *
 * Two ways to run it:
 * - 'tsx' (default): `bin/opsroom-agent.js`, as installed, which compiles TypeScript on load.
 * - 'bundled': the same code bundled ahead of time into one ESM file by esbuild (what a
 *   Raspberry Pi package would ship), run by plain `node`.
 *
 * Run: `node --import tsx edge-agent/bench/agent-footprint.ts [--bundled] [--seconds N]`
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestBroker } from '../test/support/aedes-broker.js';
import { AGENT_BIN, startChild } from '../test/support/processes.js';

export interface FootprintOptions {
  mode?: 'tsx' | 'bundled';
  /** Length of the run (default 20 s); CPU is measured after a 3 s warm-up. */
  durationMs?: number;
  readingsPerSecond?: number;
  /** Extra node flags for the agent (e.g. `--max-semi-space-size=1`, which trades a little CPU for memory). */
  nodeArgs?: string[];
}

export interface Footprint {
  /** Peak resident memory of the agent process, MB (MiB). */
  rssMb: number;
  /** CPU time over wall time after warm-up, % of one core. */
  cpuPercent: number;
  /** Peak RSS of the agent and all its child processes together, MB. */
  treeRssMb: number;
  /** Readings the broker received. */
  readings: number;
  mode: 'tsx' | 'bundled';
}

export const FOOTPRINT_LIMITS = Object.freeze({ rssMb: 60, cpuPercent: 2 });

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat, after the command name). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}
function children(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Bundles the CLI (and @opsroom/models) into one file; npm dependencies stay external. */
async function bundle(outDir: string): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = join(outDir, 'opsroom-agent.mjs');
  await esbuild.build({
    entryPoints: [join(HERE, '../src/cli/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['mqtt', 'better-sqlite3', 'yaml'],
    nodePaths: [join(HERE, '../node_modules'), join(HERE, '../../node_modules')],
    logLevel: 'error',
  });
  return outfile;
}

export async function benchAgentFootprint(opts: FootprintOptions = {}): Promise<Footprint> {
  const mode = opts.mode ?? 'tsx';
  const durationMs = opts.durationMs ?? 20_000;
  const rate = opts.readingsPerSecond ?? 100;
  const dir = mkdtempSync(join(HERE, '.footprint-')); // inside the package, so a bundle finds node_modules
  const broker = await startTestBroker({ users: { 'bench-agent': 'pw' } });
  let received = 0;
  broker.broker.on('publish', (packet) => {
    if (packet.topic.endsWith('/readings')) received += (JSON.parse(packet.payload.toString()) as unknown[]).length;
  });
  // 10 simulated metrics every 100 ms = 100 readings/s.
  const metrics = Array.from({ length: 10 }, (_, i) => `    m${i}: { base: ${10 + i}, noise: 1, daily: 2 }`);
  writeFileSync(
    join(dir, 'agent.yaml'),
    ['deviceId: bench-agent', 'secret: pw', `brokerUrl: ${broker.url}`, `sampleIntervalMs: ${Math.round((1000 * 10) / rate)}`, 'bufferDir: ./buffer', 'source:', '  kind: simulated', '  metrics:', ...metrics, ''].join('\n'),
  );
  const entry = mode === 'bundled' ? await bundle(dir) : AGENT_BIN;
  const child = startChild(process.execPath, [...(opts.nodeArgs ?? []), entry, '--config', join(dir, 'agent.yaml'), '--log-level', 'warn']);
  const pid = child.proc.pid!;
  let peak = 0;
  let treePeak = 0;
  let cpu0 = 0;
  let t0 = 0;
  const started = Date.now();
  try {
    while (Date.now() - started < durationMs) {
      await new Promise((r) => setTimeout(r, 500));
      if (child.proc.exitCode !== null) throw new Error(`the agent exited early:\n${child.output()}`);
      const own = rssKb(pid);
      peak = Math.max(peak, own);
      treePeak = Math.max(treePeak, own + children(pid).reduce((a, c) => a + (() => { try { return rssKb(c); } catch { return 0; } })(), 0));
      if (t0 === 0 && Date.now() - started >= 3000) {
        cpu0 = cpuSeconds(pid);
        t0 = performance.now();
      }
    }
    const cpuPercent = (100 * (cpuSeconds(pid) - cpu0)) / ((performance.now() - t0) / 1000);
    return { rssMb: Math.round(peak / 102.4) / 10, cpuPercent: Math.round(cpuPercent * 100) / 100, treeRssMb: Math.round(treePeak / 102.4) / 10, readings: received, mode };
  } finally {
    child.proc.kill('SIGTERM');
    await child.exited;
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const seconds = args.includes('--seconds') ? Number(args[args.indexOf('--seconds') + 1]) : 20;
  const nodeArgs = args.filter((a) => a.startsWith('--max-') || a === '--jitless' || a === '--lite-mode');
  const r = await benchAgentFootprint({ mode: args.includes('--bundled') ? 'bundled' : 'tsx', durationMs: seconds * 1000, nodeArgs });
  const ok = (v: number, max: number) => (v <= max ? 'ok' : 'OVER');
  process.stdout.write(
    `agent footprint (${r.mode}) at 100 readings/s for ${seconds} s: ${r.readings} readings published\n` +
      `  RSS  ${r.rssMb} MB (limit ${FOOTPRINT_LIMITS.rssMb}) ${ok(r.rssMb, FOOTPRINT_LIMITS.rssMb)}; with child processes ${r.treeRssMb} MB\n` +
      `  CPU  ${r.cpuPercent} % of one core (limit ${FOOTPRINT_LIMITS.cpuPercent}) ${ok(r.cpuPercent, FOOTPRINT_LIMITS.cpuPercent)}\n`,
  );
}
