// Messages between SqliteWorkerStore (main thread) and its writer thread (sqlite-worker-main.ts).
import type { ReadingBatch } from '@opsroom/models';
import type { RetentionPolicy, RetentionResult } from './retention.js';
import type { StoreHealth, StoredPoint } from './store.js';
import { batchProblem } from './validate.js';

/** One batch's fields besides its columns; null for a batch batchProblem refused (the writer counts it). */
export type PackedHead = { node: string; deviceId: string; metricNames: string[]; length: number } | null;

/** Columnar batches packed into three buffers (transferred, not cloned) plus their heads. */
export interface PackedReadings {
  heads: PackedHead[];
  metric: Uint16Array;
  ts: Float64Array;
  values: Float64Array;
}

export type WriterRequest =
  | { id: number; op: 'writeBatch'; points: readonly StoredPoint[] }
  | { id: number; op: 'writeReadings'; packed: PackedReadings }
  | { id: number; op: 'deleteBefore'; before: number }
  | { id: number; op: 'applyRetention'; policy: RetentionPolicy; now: number }
  | { id: number; op: 'close' };

export type WriterResponse =
  | { type: 'ready'; health: StoreHealth; rejected: number }
  | { type: 'failed'; message: string }
  | { type: 'done'; id: number; ok: true; result?: number | RetentionResult; health: StoreHealth; rejected: number }
  | { type: 'done'; id: number; ok: false; name: string; message: string; health: StoreHealth; rejected: number };

/**
 * Copies `batches` into one buffer per column (one copy; the buffers are then transferred to the
 * writer without another). Only the first `length` readings of each batch are copied.
 *
 * Example: two batches of 3 and 2 readings -> ts of length 5, heads [{ length: 3, ... }, { length: 2, ... }].
 */
export function packReadings(batches: readonly ReadingBatch[]): PackedReadings {
  let total = 0;
  const ok = batches.map((b) => batchProblem(b) === null);
  batches.forEach((b, i) => {
    if (ok[i]) total += b.length;
  });
  const out: PackedReadings = {
    heads: [],
    metric: new Uint16Array(total),
    ts: new Float64Array(total),
    values: new Float64Array(total),
  };
  let off = 0;
  batches.forEach((b, i) => {
    if (!ok[i]) {
      out.heads.push(null);
      return;
    }
    const n = b.length;
    out.heads.push({ node: b.node, deviceId: b.deviceId, metricNames: b.metricNames, length: n });
    copy(out.metric, b.metric, n, off);
    copy(out.ts, b.ts, n, off);
    copy(out.values, b.values, n, off);
    off += n;
  });
  return out;
}

function copy(to: Uint16Array | Float64Array, from: ArrayLike<number>, n: number, off: number): void {
  if (from instanceof Float64Array || from instanceof Uint16Array) to.set(from.subarray(0, n), off);
  else for (let i = 0; i < n; i++) to[off + i] = from[i]!;
}

/** The batches of `p` again, as views into its buffers (null heads become null batches). */
export function unpackReadings(p: PackedReadings): ReadingBatch[] {
  let off = 0;
  return p.heads.map((h) => {
    if (h === null) return null as unknown as ReadingBatch;
    const b: ReadingBatch = {
      node: h.node,
      deviceId: h.deviceId,
      metricNames: h.metricNames,
      length: h.length,
      metric: p.metric.subarray(off, off + h.length),
      ts: p.ts.subarray(off, off + h.length),
      values: p.values.subarray(off, off + h.length),
    };
    off += h.length;
    return b;
  });
}
