import { batchReadings, type ReadingBatch } from '@opsroom/models';
import type { StoredPoint } from './store.js';
import { batchProblem } from './validate.js';

/**
 * The readings of columnar batches as StoredPoint objects, for backends that store objects
 * (memory, InfluxDB): their writeReadings is writeBatch of this. Nothing is dropped here: a
 * batch batchProblem refuses becomes one `null` and a reading with a bad metric index gets
 * `metric: undefined`, so the backend's pointProblem check skips and counts them as usual.
 *
 * Example: [{ node: 'a', deviceId: 'd', length: 2, metricNames: ['m', 'k'], metric: [1, 0], ts: [5, 6], values: [1,
 * 2] }]
 * -> [{ node: 'a', metric: 'k', deviceId: 'd', ts: 5, value: 1 }, { node: 'a', metric: 'm', deviceId: 'd', ts: 6,
 * value: 2 }].
 */
export function pointsOfBatches(batches: readonly ReadingBatch[]): StoredPoint[] {
  const out: StoredPoint[] = [];
  for (const b of batches) {
    if (batchProblem(b) !== null) {
      out.push(null as unknown as StoredPoint);
      continue;
    }
    for (const r of batchReadings(b)) out.push(r); // a NodeReading is a StoredPoint
  }
  return out;
}
