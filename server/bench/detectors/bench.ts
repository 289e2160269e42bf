/**
 * Micro-benchmark of the default detector: microseconds per update on a synthetic series
 * (Gaussian noise with occasional steps, outliers and slope changes, generated beforehand).
 *
 * Run by hand: `npx tsx -e "import('./server/bench/detectors/bench.ts').then(m => console.log(m.benchDetector(1e6)))"`
 */
import { createDetector } from '../../src/vsm/detectors/restore.js';
import { seededRandom } from '../synthetic/seeded-random.js';

export interface DetectorBenchResult {
  /** Updates timed. */
  n: number;
  /** Mean wall-clock microseconds per update(), output object included. */
  microsPerUpdate: number;
  /** Mean process CPU microseconds per update (less disturbed than wall time on a busy machine). */
  cpuMicrosPerUpdate: number;
  /** Updates per second. */
  updatesPerSecond: number;
}

/** A noisy series with a change of some kind every ~500 readings. Deterministic per seed. */
export function syntheticSeries(n: number, seed = 1): Float64Array {
  const rnd = seededRandom(seed);
  const ys = new Float64Array(n);
  let level = 100;
  let slope = 0;
  for (let t = 0; t < n; t++) {
    if (t % 500 === 499) {
      const u = rnd.uniform();
      if (u < 0.4) level += 8 * (rnd.uniform() - 0.5) * 3;
      else if (u < 0.6) slope = (rnd.uniform() - 0.5) * 2;
      else slope = 0;
    }
    level += slope;
    ys[t] = level + 3 * rnd.normal() + (rnd.uniform() < 0.002 ? 30 : 0);
  }
  return ys;
}

/** Times `n` updates of one detector (after a short warm-up run for the JIT). */
export function benchDetector(n: number): DetectorBenchResult {
  const count = Math.max(1, Math.floor(n));
  const ys = syntheticSeries(count);
  const warm = createDetector();
  for (let t = 0; t < Math.min(count, 20_000); t++) warm.update(ys[t]!, t);
  const d = createDetector();
  let sink = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let t = 0; t < count; t++) sink += d.update(ys[t]!, t).score;
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  if (Number.isNaN(sink)) throw new Error('benchDetector: a score was NaN');
  const micros = elapsedNs / 1000 / count;
  return {
    n: count,
    microsPerUpdate: micros,
    cpuMicrosPerUpdate: (cpu.user + cpu.system) / count,
    updatesPerSecond: 1e6 / micros,
  };
}
