// Benchmark of the embedded store's write path (issue 10: 1 M readings/s through the whole server).
// Run by hand: npx tsx server/bench/store/bench-write.ts [readings] [mode] [devices] [metrics]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReadingBatch } from '@opsroom/models';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { StoredPoint, TimeSeriesStore } from '../../src/store/store.js';

/** `readings`: ReadingBatch through writeReadings; `objects`: the same readings as StoredPoint objects through writeBatch. */
export type WriteBenchMode = 'readings' | 'objects';

export interface WriteBenchOptions {
  /** Readings written in all (default 2,000,000). */
  readings?: number;
  /** Readings per ReadingBatch, i.e. per MQTT message (default 100). */
  perBatch?: number;
  /** Batches per write call (default 100). */
  batchesPerWrite?: number;
  mode?: WriteBenchMode;
  /** Devices the batches rotate through, one device per batch (default 1). */
  devices?: number;
  /** Metrics per batch, readings interleaved (default 1): runs per (series, device) get shorter. */
  metrics?: number;
  /** Opens the store to measure in `dir` (default SqliteStore.open). */
  open?: (dir: string) => TimeSeriesStore | Promise<TimeSeriesStore>;
}

export interface WriteBenchResult {
  mode: WriteBenchMode;
  devices: number;
  metrics: number;
  readings: number;
  writes: number;
  /** Wall ns per reading spent inside the write calls (including the tiers). */
  nsPerReading: number;
  readingsPerSecond: number;
  /** Raw points the store holds afterwards (must equal readings); -1 when devices > 1 (not counted). */
  stored: number;
}

/**
 * Writes `readings` readings of one device and one metric, ts ascending by 1 ms from a recent
 * instant, as batches of `perBatch` readings, `batchesPerWrite` batches per write call, into a
 * fresh store in a temporary directory, and times the write calls. Building the batches is not timed.
 *
 * Example: `(await benchStoreWrite({ readings: 2_000_000 })).nsPerReading` ≈ 150 on the 2-core box.
 */
export async function benchStoreWrite(opts: WriteBenchOptions = {}): Promise<WriteBenchResult> {
  const total = Math.max(1, Math.floor(opts.readings ?? 2_000_000));
  const perBatch = Math.max(1, Math.floor(opts.perBatch ?? 100));
  const perWrite = Math.max(1, Math.floor(opts.batchesPerWrite ?? 100));
  const mode = opts.mode ?? 'readings';
  const devices = Math.max(1, Math.floor(opts.devices ?? 1));
  const metrics = Math.max(1, Math.floor(opts.metrics ?? 1));
  const metricNames = Array.from({ length: metrics }, (_, m) => (m === 0 ? 'output' : `m${m}`));
  const dir = await mkdtemp(join(tmpdir(), 'opsroom-bench-write-'));
  const store = await (opts.open ?? ((d: string) => SqliteStore.open(d)))(dir);
  const t0 = Math.floor(Date.now() / 1000) * 1000 - total; // recent: ends about now
  let batchNo = 0;
  try {
    let ns = 0n;
    let writes = 0;
    let done = 0;
    while (done < total) {
      const batches: ReadingBatch[] = [];
      for (let b = 0; b < perWrite && done < total; b++) {
        const n = Math.min(perBatch, total - done);
        const ts = new Float64Array(n);
        const values = new Float64Array(n);
        const metric = new Uint16Array(n);
        for (let i = 0; i < n; i++) {
          metric[i] = i % metrics;
          ts[i] = t0 + done + i - (i % metrics); // the metrics of one instant share its ts
          values[i] = Math.sin((done + i) / 1000) * 100;
        }
        const d = batchNo++ % devices;
        batches.push({
          node: devices === 1 ? 'site/line-1/press' : `site/line-${d % 10}/cell-${d}`,
          deviceId: devices === 1 ? 'press-1' : `dev-${d}`,
          length: n,
          metricNames,
          metric,
          ts,
          values,
        });
        done += n;
      }
      let points: StoredPoint[] | undefined;
      if (mode === 'objects') {
        points = [];
        for (const b of batches)
          for (let i = 0; i < b.length; i++)
            points.push({
              node: b.node,
              metric: b.metricNames[b.metric[i]!]!,
              deviceId: b.deviceId,
              ts: b.ts[i]!,
              value: b.values[i]!,
            });
      }
      const s = process.hrtime.bigint();
      if (points !== undefined) await store.writeBatch(points);
      else
        await (store as TimeSeriesStore & { writeReadings(b: readonly ReadingBatch[]): Promise<void> }).writeReadings(
          batches,
        );
      ns += process.hrtime.bigint() - s;
      writes++;
    }
    let stored = 0;
    if (devices === 1) {
      for (const metric of metricNames)
        stored += (await store.query({ node: 'site/line-1/press', metric, from: t0, to: t0 + total })).length;
    } else {
      stored = -1; // not counted across many series
    }
    const nsPerReading = Number(ns) / total;
    return {
      mode,
      devices,
      metrics,
      readings: total,
      writes,
      nsPerReading,
      readingsPerSecond: Math.round(1e9 / nsPerReading),
      stored,
    };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const readings = Number(process.argv[2] ?? 2_000_000);
  const modes = (
    process.argv[3] && process.argv[3] !== 'both' ? [process.argv[3]] : ['objects', 'readings']
  ) as WriteBenchMode[];
  const devices = Number(process.argv[4] ?? 1);
  const metrics = Number(process.argv[5] ?? 1);
  for (const mode of modes) {
    const r = await benchStoreWrite({ readings, mode, devices, metrics });
    console.log(
      `${mode.padEnd(8)} ${r.devices} devices x ${r.metrics} metrics, ${r.readings} readings in ${r.writes} writes: ${r.nsPerReading.toFixed(1)} ns/reading, ` +
        `${(r.readingsPerSecond / 1e6).toFixed(2)} M readings/s (stored ${r.stored})`,
    );
  }
}
