// Benchmark of the UI's history queries against the embedded store (issue 7: under 50 ms for a
// week of one-minute data). Called by the root `npm run bench`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { RangeQuery, StoredPoint } from '../../src/store/store.js';

export interface HistoryBenchOptions {
  /** Timed runs of each query; the median is reported (default 7, after one warm-up run). */
  runs?: number;
  /** Other series written over the same week, interleaved with the measured one (default 20). */
  distractors?: number;
}

export interface HistoryBenchResult {
  /** Median ms of the slowest of the three queries (the figure to keep under 50 ms). */
  ms: number;
  /** Points of the measured series (one week of one-minute data: 10,080). */
  points: number;
  /** Median ms per query: raw week, 60 s windows over the week, 1 h windows over the week. */
  queries: { raw: number; minute: number; hour: number };
  runs: number;
}

const MINUTE = 60_000;
const WEEK = 7 * 24 * 60 * MINUTE;
const END = Date.UTC(2026, 0, 8); // any fixed instant: the figures do not depend on it

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Writes a week of one-minute readings (10,080 points, at 17 s past each minute) of one series
 * plus `distractors` other series into a temporary SqliteStore, then times the UI's chart queries
 * over that week as the UI asks them (a range ending now, not aligned to minutes): raw points,
 * mean per 60 s (minute tier) and mean per 1 h (hour tier). Removes the store afterwards.
 *
 * Example: `const { ms, points } = await benchHistoryQuery()` -> ms ≈ 10, points = 10080.
 */
export async function benchHistoryQuery(opts: HistoryBenchOptions = {}): Promise<HistoryBenchResult> {
  const runs = Math.max(1, Math.floor(opts.runs ?? 7));
  const distractors = Math.max(0, Math.floor(opts.distractors ?? 20));
  const dir = await mkdtemp(join(tmpdir(), 'opsroom-bench-history-'));
  const store = SqliteStore.open(dir);
  try {
    const start = END - WEEK;
    const points = WEEK / MINUTE;
    let batch: StoredPoint[] = [];
    for (let i = 0; i < points; i++) {
      const ts = start + i * MINUTE + 17_000;
      batch.push({
        node: 'site/line-1/press',
        metric: 'output',
        deviceId: 'press-1',
        ts,
        value: 50 + 10 * Math.sin(i / 90),
      });
      for (let d = 0; d < distractors; d++) {
        batch.push({
          node: `site/line-${d % 4}/cell-${d}`,
          metric: d % 2 === 0 ? 'output' : 'temperature',
          deviceId: `dev-${d}`,
          ts,
          value: d + Math.cos(i / 60),
        });
      }
      if (batch.length >= 5_000) {
        await store.writeBatch(batch);
        batch = [];
      }
    }
    await store.writeBatch(batch);

    const base: RangeQuery = {
      node: 'site/line-1/press',
      metric: 'output',
      from: END - WEEK + 12_345,
      to: END + 12_345,
    };
    const queries = {
      raw: base,
      minute: { ...base, windowMs: MINUTE, aggregate: 'mean' as const },
      hour: { ...base, windowMs: 60 * MINUTE, aggregate: 'mean' as const },
    };
    const got = (await store.query(queries.raw)).length;
    if (got !== points) throw new Error(`history bench: the raw week query returned ${got} points, expected ${points}`);
    const times: Record<keyof typeof queries, number[]> = { raw: [], minute: [], hour: [] };
    for (let r = 0; r <= runs; r++) {
      for (const k of Object.keys(queries) as (keyof typeof queries)[]) {
        const t = performance.now();
        await store.query(queries[k]);
        if (r > 0) times[k].push(performance.now() - t); // run 0 warms caches and statements
      }
    }
    const med = { raw: median(times.raw), minute: median(times.minute), hour: median(times.hour) };
    return { ms: Math.max(med.raw, med.minute, med.hour), points, queries: med, runs };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
