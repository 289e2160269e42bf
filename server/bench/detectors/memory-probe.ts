/**
 * Resident, heap and ArrayBuffer bytes per detector: creates `count` detectors, feeds each 30 readings (so all
 * state is allocated), runs full GCs and compares process.memoryUsage() before and after.
 * Needs `--expose-gc`; run by hand (README.md has the figures):
 *
 *   node --expose-gc --import tsx server/bench/detectors/memory-probe.ts [count] [cyberstride|harrison-stevens]
 */
import type { StreamingDetector } from '../../src/vsm/detectors/detector.js';
import { createDetector } from '../../src/vsm/detectors/restore.js';

export interface DetectorMemory {
  count: number;
  rssPerDetector: number;
  heapPerDetector: number;
  externalPerDetector: number;
}

export function measureDetectorMemory(
  count: number,
  type: 'cyberstride' | 'harrison-stevens' = 'cyberstride',
): DetectorMemory {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('measureDetectorMemory needs a full GC: run node with --expose-gc');
  const make = (): StreamingDetector => createDetector({ type });
  const warm = make();
  for (let t = 0; t < 30; t++) warm.update(t, t * 60_000);
  gc();
  gc();
  const before = process.memoryUsage();
  const kept: StreamingDetector[] = new Array<StreamingDetector>(count);
  for (let i = 0; i < count; i++) {
    const d = make();
    for (let t = 0; t < 30; t++) d.update(100 + Math.sin(t + i), t * 60_000);
    kept[i] = d;
  }
  gc();
  gc();
  const after = process.memoryUsage();
  if (kept.length !== count) throw new Error('unreachable');
  return {
    count,
    rssPerDetector: (after.rss - before.rss) / count,
    heapPerDetector: (after.heapUsed - before.heapUsed) / count,
    externalPerDetector: (after.external - before.external) / count,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const count = Number(process.argv[2] ?? 100_000);
  const type = process.argv[3] === 'harrison-stevens' ? 'harrison-stevens' : 'cyberstride';
  console.log(measureDetectorMemory(count, type));
}
