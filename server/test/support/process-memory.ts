import { readFileSync } from 'node:fs';

const MiB = 1024 * 1024;

/** Resident set size of a process (Linux /proc/<pid>/status VmRSS), bytes. */
export function residentBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** Samples a process's resident size every `everyMs` until stopped; `stop()` gives the largest, bytes. */
export function sampleResident(pid: number, everyMs = 10): { stop(): number } {
  let max = residentBytes(pid);
  const timer = setInterval(() => {
    try {
      max = Math.max(max, residentBytes(pid));
    } catch {
      // the process is gone; the test that started it will say so
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, residentBytes(pid));
    },
  };
}

/** Bytes as MiB with one decimal, for messages. */
export const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
