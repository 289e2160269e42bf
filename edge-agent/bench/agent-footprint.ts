/**
 * How small the agent is (issue 6, point 7): runs the agent as a child process at 100 readings
 * per second (10 simulated metrics every 100 ms, SQLite outbox) against a local aedes broker for
 * ~20 s and samples its resident memory (/proc/<pid>/status VmRSS, peak of samples every 500 ms)
 * and CPU time (/proc/<pid>/stat utime + stime, after a 3 s warm-up).
 *
 * Two ways to run it:
 * - 'dist' (default): the production build, exactly as the README's systemd unit runs it:
 *   `npm run build` first (scripts/build-agent.ts), then the executable
 *   `dist/opsroom-agent.cjs --config …` itself, whose shebang starts `node` with
 *   AGENT_NODE_FLAGS. `nodeArgs` replaces those flags (experiments: `node <nodeArgs> dist/…`).
 * - 'tsx': `node bin/opsroom-agent.js --config …`, the development shim that compiles the
 *   TypeScript on load.
 *
 * Run: `node --import tsx edge-agent/bench/agent-footprint.ts [--tsx] [--seconds N] [--node-args "FLAGS"] [--entry BUILT_FILE]`
 * (`npm run bench -w @opsroom/edge-agent`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_NODE_FLAGS, buildAgent } from '../scripts/build-agent.js';
import { startTestBroker } from '../test/support/aedes-broker.js';
import { AGENT_BIN, startChild } from '../test/support/processes.js';

export type FootprintMode = 'dist' | 'tsx';

export interface FootprintOptions {
  /** 'dist' (default): the built file as shipped; 'tsx': the development shim. */
  mode?: FootprintMode;
  /** Length of the run (default 20 s); CPU is measured after a 3 s warm-up. */
  durationMs?: number;
  readingsPerSecond?: number;
  /**
   * Node flags for the agent instead of the shipped ones (dist: AGENT_NODE_FLAGS from the
   * shebang; tsx: none), e.g. `[]` to measure the build without flags.
   */
  nodeArgs?: string[];
  /** dist mode: run this already built file instead of building `dist/opsroom-agent.cjs` (experiments). */
  entry?: string;
}

export interface Footprint {
  /** Peak resident memory of the agent process (VmRSS), MB (MiB). */
  rssMb: number;
  /** At that peak: anonymous memory (heap, stacks: the agent's own) and file-backed pages (mostly the `node` executable's code, shared with every node process and reclaimable). */
  rssAnonMb: number;
  rssFileMb: number;
  /** CPU time over wall time after warm-up, % of one core. */
  cpuPercent: number;
  /** Peak RSS of the agent and all its child processes together, MB (tsx runs an esbuild child). */
  treeRssMb: number;
  /** Readings the broker received. */
  readings: number;
  mode: FootprintMode;
  /** Node flags the agent ran with. */
  nodeFlags: string[];
  /** How the agent was started, relative to the repository root, e.g. `edge-agent/dist/opsroom-agent.cjs --config agent.yaml`. */
  command: string;
  /** One line for reports, e.g. `dist (node --lite-mode --max-semi-space-size=1)`. */
  label: string;
}

export const FOOTPRINT_LIMITS = Object.freeze({ rssMb: 60, cpuPercent: 2 });

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

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const status = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8');
const kbField = (text: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);

export async function benchAgentFootprint(opts: FootprintOptions = {}): Promise<Footprint> {
  const mode = opts.mode ?? 'dist';
  const durationMs = opts.durationMs ?? 20_000;
  const rate = opts.readingsPerSecond ?? 100;
  // dist: build first, then run the file itself (its shebang picks node from PATH: this node).
  const dist = mode === 'dist' ? (opts.entry ?? (await buildAgent()).outfile) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-footprint-'));
  const broker = await startTestBroker({ users: { 'bench-agent': 'pw' } });
  let received = 0;
  broker.broker.on('publish', (packet) => {
    if (packet.topic.endsWith('/readings')) received += (JSON.parse(packet.payload.toString()) as unknown[]).length;
  });
  // 10 simulated metrics every 100 ms = 100 readings/s.
  const metrics = Array.from({ length: 10 }, (_, i) => `    m${i}: { base: ${10 + i}, noise: 1, daily: 2 }`);
  const config = join(dir, 'agent.yaml');
  writeFileSync(
    config,
    [
      'deviceId: bench-agent',
      'secret: pw',
      `brokerUrl: ${broker.url}`,
      `sampleIntervalMs: ${Math.round((1000 * 10) / rate)}`,
      'bufferDir: ./buffer',
      'source:',
      '  kind: simulated',
      '  metrics:',
      ...metrics,
      '',
    ].join('\n'),
  );
  const agentArgs = ['--config', config, '--log-level', 'warn'];
  const nodeFlags = opts.nodeArgs ?? (dist ? [...AGENT_NODE_FLAGS] : []);
  const direct = dist !== undefined && opts.nodeArgs === undefined;
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  const child = direct
    ? startChild(dist, agentArgs, { env })
    : startChild(process.execPath, [...nodeFlags, dist ?? AGENT_BIN, ...agentArgs], { env });
  const script = relative(REPO, dist ?? AGENT_BIN);
  const command = direct
    ? `${script} --config agent.yaml`
    : `node ${[...nodeFlags, script].join(' ')} --config agent.yaml`;
  const pid = child.proc.pid!;
  let peak = { rss: 0, anon: 0, file: 0 };
  let treePeak = 0;
  let cpu0 = 0;
  let t0 = 0;
  const started = Date.now();
  try {
    while (Date.now() - started < durationMs) {
      await new Promise((r) => setTimeout(r, 500));
      if (child.proc.exitCode !== null) throw new Error(`the agent exited early:\n${child.output()}`);
      const s = status(pid);
      const own = kbField(s, 'VmRSS');
      if (own > peak.rss)
        peak = { rss: own, anon: kbField(s, 'RssAnon') + kbField(s, 'RssShmem'), file: kbField(s, 'RssFile') };
      treePeak = Math.max(
        treePeak,
        own +
          children(pid).reduce(
            (a, c) =>
              a +
              (() => {
                try {
                  return rssKb(c);
                } catch {
                  return 0;
                }
              })(),
            0,
          ),
      );
      if (t0 === 0 && Date.now() - started >= 3000) {
        cpu0 = cpuSeconds(pid);
        t0 = performance.now();
      }
    }
    const cpuPercent = (100 * (cpuSeconds(pid) - cpu0)) / ((performance.now() - t0) / 1000);
    const mb = (kb: number) => Math.round(kb / 102.4) / 10;
    return {
      rssMb: mb(peak.rss),
      rssAnonMb: mb(peak.anon),
      rssFileMb: mb(peak.file),
      cpuPercent: Math.round(cpuPercent * 100) / 100,
      treeRssMb: mb(treePeak),
      readings: received,
      mode,
      nodeFlags,
      command,
      label: `${mode} (node${nodeFlags.length ? ' ' + nodeFlags.join(' ') : ''})`,
    };
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
  const nodeArgs = args.includes('--node-args')
    ? args[args.indexOf('--node-args') + 1]!.split(' ').filter(Boolean)
    : undefined;
  const r = await benchAgentFootprint({
    mode: args.includes('--tsx') ? 'tsx' : 'dist',
    durationMs: seconds * 1000,
    ...(nodeArgs ? { nodeArgs } : {}),
    ...(args.includes('--entry') ? { entry: args[args.indexOf('--entry') + 1]! } : {}),
  });
  const ok = (v: number, max: number) => (v <= max ? 'ok' : 'OVER');
  process.stdout.write(
    `agent footprint, ${r.label}, at 100 readings/s for ${seconds} s: ${r.readings} readings published\n` +
      `  ran: ${r.command}\n` +
      `  RSS  ${r.rssMb} MB (limit ${FOOTPRINT_LIMITS.rssMb}) ${ok(r.rssMb, FOOTPRINT_LIMITS.rssMb)}: ${r.rssAnonMb} MB anonymous + ${r.rssFileMb} MB file-backed; with child processes ${r.treeRssMb} MB\n` +
      `  CPU  ${r.cpuPercent} % of one core (limit ${FOOTPRINT_LIMITS.cpuPercent}) ${ok(r.cpuPercent, FOOTPRINT_LIMITS.cpuPercent)}\n`,
  );
}
