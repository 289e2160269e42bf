import type { NodeReading, Reading } from './reading.js';

/**
 * The readings of one message in columns: no object per reading on the hot path (issue 10).
 * Reading i is `{ metric: metricNames[metric[i]], ts: ts[i], value: values[i] }`; the typed
 * arrays may be longer than `length` (only the first `length` entries count).
 *
 * @example
 * // [{"metric":"output","value":3,"ts":1000},{"metric":"energy","value":1.5,"ts":1000},
 * //  {"metric":"output","value":4,"ts":2000}]
 * // decodes to
 * // { length: 3, metricNames: ['output', 'energy'], metric: [0, 1, 0], ts: [1000, 1000, 2000], values: [3, 1.5, 4] }
 */
export interface ReadingColumns {
  length: number;
  /** The distinct metric ids of the message, in order of first appearance. */
  metricNames: string[];
  /** Per reading, an index into metricNames. */
  metric: Uint16Array;
  /** Per reading, ms since the epoch. */
  ts: Float64Array;
  values: Float64Array;
  /**
   * Tag sets, only when decoded with `{ tags: true }` and some reading had tags: the distinct
   * `Reading.tags` of the message ('' for readings without), and per reading an index into them.
   */
  tagSets?: string[];
  tagSet?: Uint16Array;
}

/** One message's readings after ingest has attributed them to its device and the device's node. */
export interface ReadingBatch extends ReadingColumns {
  deviceId: string;
  node: string;
}

/** Columns of `readings` (metric names interned in order of first appearance). */
export function toColumns(readings: readonly Reading[]): ReadingColumns {
  const n = readings.length;
  const cols: ReadingColumns = {
    length: n,
    metricNames: [],
    metric: new Uint16Array(n),
    ts: new Float64Array(n),
    values: new Float64Array(n),
  };
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = readings[i]!;
    let m = index.get(r.metric);
    if (m === undefined) {
      m = cols.metricNames.length;
      index.set(r.metric, m);
      cols.metricNames.push(r.metric);
    }
    cols.metric[i] = m;
    cols.ts[i] = r.ts;
    cols.values[i] = r.value;
  }
  if (readings.some((r) => r.tags !== undefined)) {
    const sets = new Map<string, number>();
    cols.tagSets = [];
    cols.tagSet = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const t = readings[i]!.tags ?? '';
      let id = sets.get(t);
      if (id === undefined) {
        id = cols.tagSets.length;
        sets.set(t, id);
        cols.tagSets.push(t);
      }
      cols.tagSet[i] = id;
    }
  }
  return cols;
}

/** The readings of `cols` as objects (for tests, slow paths and backends that need objects). */
export function fromColumns(cols: ReadingColumns): Reading[] {
  const out: Reading[] = new Array(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const tags = cols.tagSet && cols.tagSets ? cols.tagSets[cols.tagSet[i]!]! : '';
    const r: Reading = { metric: cols.metricNames[cols.metric[i]!]!, value: cols.values[i]!, ts: cols.ts[i]! };
    out[i] = tags === '' ? r : { ...r, tags };
  }
  return out;
}

/** The readings of a batch as NodeReading objects. */
export function batchReadings(b: ReadingBatch): NodeReading[] {
  const out: NodeReading[] = new Array(b.length);
  for (let i = 0; i < b.length; i++)
    out[i] = {
      metric: b.metricNames[b.metric[i]!]!,
      value: b.values[i]!,
      ts: b.ts[i]!,
      deviceId: b.deviceId,
      node: b.node,
    };
  return out;
}
