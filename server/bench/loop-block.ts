// How long the event loop is held between two turns, measured by a 1 ms timer chain. Two figures
// per gap: its wall time, and the CPU time the process used in it. On a machine whose cores are
// shared (other processes, parallel test workers), a gap's wall time includes the time the OS ran
// something else; its CPU time does not, so min(wall, CPU) is what this process's own code held
// the loop for (plus any GC helper threads in that gap: an upper bound).
import { performance, PerformanceObserver } from 'node:perf_hooks';

export interface LoopBlocks {
  /** Longest gap between two turns, wall time, ms (less the 1 ms timer period). */
  maxWallMs: number;
  /** Longest gap counted in the process's CPU time (min of wall and CPU), ms. */
  maxCpuMs: number;
  /** Gaps measured. */
  gaps: number;
  /** Longest garbage-collection pause seen meanwhile, ms, and the gap (wall, ms) each of the three longest gaps ended at relative to the start. */
  gcMaxMs: number;
  longest: Array<{ atMs: number; wallMs: number; cpuMs: number }>;
}

/**
 * Starts probing; `stop()` ends it and returns the figures.
 *
 * Example: `const p = probeLoopBlocks(); await work(); const { maxCpuMs } = p.stop();`
 */
export function probeLoopBlocks(): { stop(): LoopBlocks } {
  let maxWallMs = 0;
  let maxCpuMs = 0;
  let gaps = 0;
  let lastWall = performance.now();
  let lastCpu = process.cpuUsage();
  let timer: NodeJS.Timeout | undefined;
  let gcMaxMs = 0;
  const t0 = performance.now();
  const longest: LoopBlocks['longest'] = [];
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration > gcMaxMs) gcMaxMs = e.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  const tick = (): void => {
    const wall = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const wallMs = Math.max(0, wall - lastWall - 1);
    const cpuMs = Math.min(wallMs, (cpu.user + cpu.system) / 1000);
    if (wallMs > maxWallMs) maxWallMs = wallMs;
    if (cpuMs > maxCpuMs) maxCpuMs = cpuMs;
    if (wallMs > 5) {
      longest.push({
        atMs: Math.round(wall - t0),
        wallMs: Math.round(wallMs * 10) / 10,
        cpuMs: Math.round(cpuMs * 10) / 10,
      });
      longest.sort((a, b) => b.cpuMs - a.cpuMs);
      longest.length = Math.min(longest.length, 3);
    }
    gaps++;
    lastWall = performance.now();
    lastCpu = process.cpuUsage();
    timer = setTimeout(tick, 1);
  };
  timer = setTimeout(tick, 1);
  return {
    stop() {
      clearTimeout(timer);
      tick();
      clearTimeout(timer);
      gc.disconnect();
      return { maxWallMs, maxCpuMs, gaps, gcMaxMs, longest };
    },
  };
}
