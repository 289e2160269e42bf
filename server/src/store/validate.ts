import type { ReadingBatch } from '@opsroom/models';
import type { Aggregate, RangeQuery, StoredPoint } from './store.js';

/** Every aggregate a {@link RangeQuery} may ask for. */
export const AGGREGATES: readonly Aggregate[] = Object.freeze(['mean', 'min', 'max', 'last', 'count']);

/**
 * Why a point cannot be stored, or null when it can. Stores skip such points (and count them)
 * instead of failing the whole batch: one bad reading never loses the rest.
 *
 * A storable point has non-empty string `node`, `metric` and `deviceId`, an integer `ts` in
 * [0, 2^53) ms and a finite `value`.
 */
export function pointProblem(p: StoredPoint): string | null {
  if (p === null || typeof p !== 'object') return 'point is not an object';
  if (typeof p.node !== 'string' || p.node === '') return 'node must be a non-empty string';
  if (typeof p.metric !== 'string' || p.metric === '') return 'metric must be a non-empty string';
  if (typeof p.deviceId !== 'string' || p.deviceId === '') return 'deviceId must be a non-empty string';
  if (!Number.isSafeInteger(p.ts) || p.ts < 0) return 'ts must be a non-negative integer of ms since the epoch';
  if (typeof p.value !== 'number' || !Number.isFinite(p.value)) return 'value must be a finite number';
  return null;
}

/** A range query with its defaults filled in. */
export interface NormalizedQuery {
  node: string;
  metric: string;
  from: number;
  to: number;
  windowMs: number | undefined;
  aggregate: Aggregate;
  /** Raw queries only: at most this many points are needed (RangeQuery.limit). */
  limit?: number;
}

/**
 * Checks a range query and fills its defaults (`aggregate` = `mean`). Throws a RangeError that says
 * which field to fix; a store rejects its promise with it. `from > to` is valid and matches nothing.
 */
export function normalizeQuery(q: RangeQuery): NormalizedQuery {
  if (q === null || typeof q !== 'object') throw new RangeError('query must be an object { node, metric, from, to }');
  if (typeof q.node !== 'string' || q.node === '') throw new RangeError('query.node must be a non-empty string');
  if (typeof q.metric !== 'string' || q.metric === '') throw new RangeError('query.metric must be a non-empty string');
  if (typeof q.from !== 'number' || Number.isNaN(q.from))
    throw new RangeError('query.from must be a number of ms since the epoch');
  if (typeof q.to !== 'number' || Number.isNaN(q.to))
    throw new RangeError('query.to must be a number of ms since the epoch');
  if (q.windowMs !== undefined && (!Number.isSafeInteger(q.windowMs) || q.windowMs <= 0)) {
    throw new RangeError(
      `query.windowMs must be a positive integer number of ms (got ${String(q.windowMs)}); omit it for raw points`,
    );
  }
  const aggregate = q.aggregate ?? 'mean';
  if (!AGGREGATES.includes(aggregate)) {
    throw new RangeError(`query.aggregate must be one of ${AGGREGATES.join(', ')} (got ${String(q.aggregate)})`);
  }
  if (q.limit !== undefined && (!Number.isSafeInteger(q.limit) || q.limit <= 0))
    throw new RangeError(`query.limit must be a positive integer (got ${String(q.limit)})`);
  return {
    node: q.node,
    metric: q.metric,
    from: q.from,
    to: q.to,
    windowMs: q.windowMs,
    aggregate,
    limit: q.windowMs === undefined ? q.limit : undefined,
  };
}

/** Checks a `deleteBefore` cut-off; throws a RangeError when it is not a number. */
export function checkCutoff(before: number): void {
  if (typeof before !== 'number' || Number.isNaN(before)) {
    throw new RangeError(`deleteBefore needs a number of ms since the epoch (got ${String(before)})`);
  }
}

/** The error every store method rejects with after close(). */
export function closedError(backend: string): Error {
  return new Error(`the ${backend} time-series store is closed; open a new one to keep using it`);
}

/**
 * Why a columnar batch cannot be read at all, or null when its readings can be checked one by one.
 * A readable batch is an object with a non-negative integer `length`, `metricNames` an array, and
 * `metric`, `ts`, `values` array-likes at least `length` long. Stores skip an unreadable batch
 * and count it as one rejected point (its readings cannot be counted). A readable batch with an
 * empty `node` or `deviceId` has every reading rejected by pointProblem.
 */
export function batchProblem(b: ReadingBatch): string | null {
  if (b === null || typeof b !== 'object') return 'batch is not an object';
  if (!Number.isSafeInteger(b.length) || b.length < 0) return 'length must be a non-negative integer';
  if (!Array.isArray(b.metricNames)) return 'metricNames must be an array';
  for (const k of ['metric', 'ts', 'values'] as const) {
    const a = b[k] as ArrayLike<number> | undefined;
    if (a === null || typeof a !== 'object' || !(a.length >= b.length))
      return `${k} must hold at least length (${b.length}) entries`;
  }
  return null;
}
