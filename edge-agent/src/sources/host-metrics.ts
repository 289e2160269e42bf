import { readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { Reading } from '@opsroom/models';
import type { Source } from './source.js';

export interface HostMetricsOptions {
  /** Names the source in logs (`host:<name>`). */
  name: string;
  /** Put in front of every metric id; default `host_`. */
  prefix?: string;
  /** Label -> mount point whose usage is reported as `<prefix>disk_<label>_used_pct`; default `{ root: '/' }`. */
  disks?: Readonly<Record<string, string>>;
  /** Where /proc is (tests point it at a fixture directory); default `/proc`. */
  procDir?: string;
  /** statfs (tests); default `fs.statfsSync`. */
  statfs?: (path: string) => { blocks: number; bfree: number; bavail: number; bsize: number };
}

/** CPU time counters of the `cpu` line of /proc/stat (jiffies). */
export interface CpuTimes {
  busy: number;
  total: number;
}

/**
 * Parses the aggregate `cpu` line of /proc/stat. Idle is idle + iowait; busy is the rest
 * (user, nice, system, irq, softirq, steal; guest time is already inside user).
 * @example parseCpuLine('cpu  100 0 50 800 50 0 0 0 0 0') // { busy: 150, total: 1000 }
 */
export function parseCpuLine(stat: string): CpuTimes {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no aggregate "cpu" line in /proc/stat');
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Percentage of CPU time busy between two readings of /proc/stat, all cores together (0–100).
 * @example cpuPercent({ busy: 150, total: 1000 }, { busy: 400, total: 2000 }) // 25
 */
export function cpuPercent(before: CpuTimes, after: CpuTimes): number | undefined {
  const total = after.total - before.total;
  if (total <= 0) return undefined;
  return Math.round((1000 * (after.busy - before.busy)) / total) / 10;
}

/**
 * Parses /proc/meminfo into kB per field.
 * @example parseMeminfo('MemTotal: 1000 kB\nMemAvailable: 250 kB\n') // { MemTotal: 1000, MemAvailable: 250 }
 */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

const round = (x: number, places = 2) => Math.round(x * 10 ** places) / 10 ** places;

/**
 * The health of the Linux box the agent runs on, from /proc and statfs: load averages
 * (`load1`, `load5`, `load15`), memory (`mem_used_pct`, `mem_available_mb`, `swap_used_pct`),
 * CPU busy over the last interval (`cpu_pct`, from the second sample on), disk usage per mount
 * (`disk_<label>_used_pct`, `disk_<label>_free_gb`) and `uptime_s`, each with the prefix
 * (default `host_`). A file that cannot be read fails the sample, naming it.
 */
export class HostMetricsSource implements Source {
  readonly id: string;
  readonly metrics: readonly string[];
  private readonly prefix: string;
  private readonly proc: string;
  private readonly disks: Array<[string, string]>;
  private readonly statfs: NonNullable<HostMetricsOptions['statfs']>;
  private lastCpu: CpuTimes | undefined;

  constructor(opts: HostMetricsOptions) {
    this.id = `host:${opts.name}`;
    this.prefix = opts.prefix ?? 'host_';
    this.proc = opts.procDir ?? '/proc';
    this.disks = Object.entries(opts.disks ?? { root: '/' });
    this.statfs = opts.statfs ?? ((p) => statfsSync(p));
    const p = this.prefix;
    this.metrics = Object.freeze([
      `${p}load1`,
      `${p}load5`,
      `${p}load15`,
      `${p}cpu_pct`,
      `${p}mem_used_pct`,
      `${p}mem_available_mb`,
      `${p}swap_used_pct`,
      `${p}uptime_s`,
      ...this.disks.flatMap(([label]) => [`${p}disk_${label}_used_pct`, `${p}disk_${label}_free_gb`]),
    ]);
  }

  sample(now: number): Reading[] {
    const p = this.prefix;
    const out: Reading[] = [];
    const add = (metric: string, value: number | undefined) => {
      if (value !== undefined && Number.isFinite(value)) out.push({ metric: p + metric, value, ts: now });
    };
    const [l1, l5, l15] = this.read('loadavg').trim().split(/\s+/).map(Number);
    add('load1', l1);
    add('load5', l5);
    add('load15', l15);

    const cpu = parseCpuLine(this.read('stat'));
    if (this.lastCpu) add('cpu_pct', cpuPercent(this.lastCpu, cpu));
    this.lastCpu = cpu;

    const mem = parseMeminfo(this.read('meminfo'));
    const total = mem.MemTotal ?? 0;
    const available = mem.MemAvailable ?? (mem.MemFree ?? 0) + (mem.Buffers ?? 0) + (mem.Cached ?? 0);
    if (total > 0) add('mem_used_pct', round((100 * (total - available)) / total));
    add('mem_available_mb', round(available / 1024, 1));
    if ((mem.SwapTotal ?? 0) > 0)
      add('swap_used_pct', round((100 * (mem.SwapTotal! - (mem.SwapFree ?? 0))) / mem.SwapTotal!));
    add('uptime_s', Math.round(Number(this.read('uptime').split(/\s+/)[0])));

    for (const [label, mount] of this.disks) {
      let s;
      try {
        s = this.statfs(mount);
      } catch (err) {
        throw new Error(
          `cannot stat the disk mounted at ${mount} (${label}): ` +
            `${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
          { cause: err },
        );
      }
      const size = s.blocks * s.bsize;
      if (size > 0) {
        // As df computes it: used / (used + available to unprivileged users).
        const used = (s.blocks - s.bfree) * s.bsize;
        add(`disk_${label}_used_pct`, round((100 * used) / (used + s.bavail * s.bsize)));
        add(`disk_${label}_free_gb`, round((s.bavail * s.bsize) / 1e9, 3));
      }
    }
    return out;
  }

  private read(name: string): string {
    const file = join(this.proc, name);
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(
        `cannot read ${file}: ` +
          `${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; host ` +
          `metrics need Linux /proc`,
        { cause: err },
      );
    }
  }
}
