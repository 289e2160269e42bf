import { describe, it, expect, afterAll } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuPercent, HostMetricsSource, parseCpuLine, parseMeminfo } from './host-metrics.js';

const proc = mkdtempSync(join(tmpdir(), 'opsroom-proc-'));
afterAll(() => rmSync(proc, { recursive: true, force: true }));
const write = (name: string, text: string) => writeFileSync(join(proc, name), text);

describe('host metric parsers', () => {
  it('count iowait as idle and the rest as busy', () => {
    expect(parseCpuLine('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n')).toEqual({ busy: 150, total: 1000 });
    expect(cpuPercent({ busy: 150, total: 1000 }, { busy: 400, total: 2000 })).toBe(25);
    expect(cpuPercent({ busy: 1, total: 10 }, { busy: 1, total: 10 })).toBeUndefined();
  });

  it('read /proc/meminfo in kB', () => {
    expect(parseMeminfo('MemTotal:     1000 kB\nMemAvailable:  250 kB\nHugePages_Total: 0\n')).toEqual({
      MemTotal: 1000,
      MemAvailable: 250,
      HugePages_Total: 0,
    });
  });
});

describe('HostMetricsSource', () => {
  it('reports load, memory, swap, uptime and disks, and CPU from the second sample', () => {
    write('loadavg', '0.52 0.40 0.31 1/123 4567\n');
    write('stat', 'cpu  100 0 50 800 50 0 0 0 0 0\n');
    write(
      'meminfo',
      'MemTotal: 2048000 kB\nMemFree: 100 kB\nMemAvailable: 512000 kB\nSwapTotal: 1000 kB\nSwapFree: 750 kB\n',
    );
    write('uptime', '3600.55 7000.00\n');
    const statfs = () => ({ blocks: 1000, bfree: 300, bavail: 200, bsize: 4096 });
    const s = new HostMetricsSource({ name: 'pi', procDir: proc, statfs, disks: { root: '/', data: '/srv' } });
    const first = s.sample(1);
    expect(Object.fromEntries(first.map((r) => [r.metric, r.value]))).toEqual({
      host_load1: 0.52,
      host_load5: 0.4,
      host_load15: 0.31,
      host_mem_used_pct: 75,
      host_mem_available_mb: 500,
      host_swap_used_pct: 25,
      host_uptime_s: 3601,
      host_disk_root_used_pct: 77.78, // 700 used / (700 + 200 available), as df shows it
      host_disk_root_free_gb: 0.001,
      host_disk_data_used_pct: 77.78,
      host_disk_data_free_gb: 0.001,
    });
    expect(first.every((r) => r.ts === 1)).toBe(true);
    write('stat', 'cpu  300 0 150 1400 150 0 0 0 0 0\n');
    expect(s.sample(2).find((r) => r.metric === 'host_cpu_pct')?.value).toBe(30);
    expect(s.metrics).toContain('host_cpu_pct');
  });

  it('fails the sample naming the file it cannot read', () => {
    const s = new HostMetricsSource({ name: 'x', procDir: join(proc, 'missing') });
    expect(() => s.sample(1)).toThrow(/cannot read .*missing\/loadavg: ENOENT; host metrics need Linux \/proc/);
  });

  const linux = existsSync('/proc/loadavg') ? it : it.skip;
  linux('reads the real /proc of this machine', () => {
    const rs = new HostMetricsSource({ name: 'real' }).sample(Date.now());
    const names = rs.map((r) => r.metric);
    expect(names).toEqual(expect.arrayContaining(['host_load1', 'host_mem_used_pct', 'host_disk_root_used_pct']));
    const mem = rs.find((r) => r.metric === 'host_mem_used_pct')!.value;
    expect(mem).toBeGreaterThan(0);
    expect(mem).toBeLessThanOrEqual(100);
  });
});
