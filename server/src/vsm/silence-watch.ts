import type { ReadingBatch } from '@opsroom/models';

/**
 * Dropouts: a device series (node, indicator, device) that stops sending is invisible to the
 * streaming detectors, which only ever run on a reading. The silence watch keeps, per series, when
 * it last heard from it and its typical interval between readings, and a periodic `scan()` names
 * the series that have been quiet for far longer than usual.
 *
 * Pure and clock-injected: nothing here reads the wall clock or owns a timer (start.ts scans it
 * on its own interval). O(1) per reading; memory bounded by `maxSeries`.
 */
export interface SilenceWatchOptions {
  /** The server's clock, ms since epoch: when a reading arrived, and when a scan looks. */
  now: () => number;
  /** A series may be reported silent only after this many readings (default 30). */
  minReadings?: number;
  /** Silent after this many typical intervals without a reading… (default 10) */
  intervals?: number;
  /** …and never before this long, ms (default 15 000). */
  minSilenceMs?: number;
  /** Series tracked at most; readings of further series are ignored (default 100 000). */
  maxSeries?: number;
}

export const SILENCE_DEFAULTS = Object.freeze({
  minReadings: 30,
  intervals: 10,
  minSilenceMs: 15_000, // ms
  maxSeries: 100_000,
});

/** A series that went silent (from `scan`) or spoke again (from `observe` / `observeBatch`). */
export interface SilenceReport {
  node: string;
  indicator: string;
  deviceId: string;
  /** Timestamp of its last reading before the silence (the device's clock), ms since epoch. */
  lastTs: number;
  /** How long nothing arrived, by the server's clock, ms: so far (silent) or in all (resumed). */
  silentForMs: number;
  /** The typical interval learnt before the silence, ms (NaN when no interval was learnt yet). */
  typicalIntervalMs: number;
}

/** Weight of one new gap in the typical interval (an exponentially weighted mean over ~16 gaps). */
const RATE = 1 / 16;
/** A gap counts for at most this many typical intervals, so a past dropout barely moves the typical interval. */
const GAP_CLIP = 4;
const NONE: readonly SilenceReport[] = Object.freeze([]);

/**
 * The typical interval after one more gap between readings: an exponentially weighted mean whose
 * input is clipped at 4 typical intervals (a device that slows down for good is followed within a
 * few dozen readings; one long gap moves it by at most 3/16).
 * @example nextTypical(NaN, 1000) // 1000 (the first gap)
 * @example nextTypical(1000, 90_000) // 1187.5 (a 90 s dropout counts as 4 s)
 */
export function nextTypical(typical: number, gap: number): number {
  if (Number.isNaN(typical)) return gap;
  return typical + RATE * (Math.min(gap, GAP_CLIP * typical) - typical);
}

/**
 * How long a series with this typical interval may stay quiet before it is silent.
 * @example silenceAfterMs(1000) // 15000 (10 × 1 s is less than the 15 s floor)
 * @example silenceAfterMs(60_000) // 600000
 */
export function silenceAfterMs(
  typical: number,
  intervals: number = SILENCE_DEFAULTS.intervals,
  minMs: number = SILENCE_DEFAULTS.minSilenceMs,
): number {
  return Number.isNaN(typical) ? minMs : Math.max(intervals * typical, minMs);
}

/** Rows a table starts with; it doubles as series arrive, up to `maxSeries`. */
const FIRST_ROWS = 1024;

/**
 * One row per series, as columns (typed arrays for the numbers, shared strings for the names): about 60 bytes a
 * series instead of an object with boxed numbers and its own map entry (~160 bytes; issue 10's memory budget).
 * Rows of a forgotten device are reused.
 */
class SeriesColumns {
  node: string[] = [];
  indicator: string[] = [];
  /** undefined: a free row. */
  deviceId: Array<string | undefined> = [];
  readings = new Uint32Array(FIRST_ROWS);
  /** Latest reading timestamp (device clock). */
  lastTs = new Float64Array(FIRST_ROWS);
  /** When it last arrived (server clock). */
  lastSeen = new Float64Array(FIRST_ROWS);
  /** Learnt interval between successive reading timestamps, ms; NaN until the first positive gap. */
  typical = new Float64Array(FIRST_ROWS);
  silent = new Uint8Array(FIRST_ROWS);
  /** Rows in use or freed: the next new row is `used` when no freed row is waiting. */
  used = 0;
  private readonly free: number[] = [];

  add(node: string, indicator: string, deviceId: string): number {
    const row = this.free.pop() ?? this.used++;
    if (row >= this.readings.length) this.grow();
    this.node[row] = node;
    this.indicator[row] = indicator;
    this.deviceId[row] = deviceId;
    this.restart(row);
    this.lastTs[row] = -Infinity;
    this.lastSeen[row] = -Infinity;
    return row;
  }

  /** The row's series starts afresh (its device moved to another node). */
  restart(row: number): void {
    this.readings[row] = 0;
    this.typical[row] = NaN;
    this.silent[row] = 0;
  }

  release(row: number): void {
    this.deviceId[row] = undefined;
    this.free.push(row);
  }

  report(row: number, silentForMs: number): SilenceReport {
    return {
      node: this.node[row]!,
      indicator: this.indicator[row]!,
      deviceId: this.deviceId[row]!,
      lastTs: this.lastTs[row]!,
      silentForMs,
      typicalIntervalMs: this.typical[row]!,
    };
  }

  private grow(): void {
    const size = this.readings.length * 2;
    const wider = <T extends Uint32Array | Float64Array | Uint8Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(size);
      b.set(a);
      return b;
    };
    this.readings = wider(this.readings, Uint32Array);
    this.lastTs = wider(this.lastTs, Float64Array);
    this.lastSeen = wider(this.lastSeen, Float64Array);
    this.typical = wider(this.typical, Float64Array);
    this.silent = wider(this.silent, Uint8Array);
  }
}

/** Readings counted per series at most (a Uint32Array cell; only "fewer than minReadings" matters). */
const MAX_COUNT = 0xffff_ffff;

export class SilenceWatch {
  /** deviceId -> indicator -> row of `rows` (two lookups and no string building per reading). */
  private readonly byDevice = new Map<string, Map<string, number>>();
  private readonly rows = new SeriesColumns();
  private count = 0;
  private readonly o: Required<Omit<SilenceWatchOptions, 'now'>>;

  constructor(private readonly opts: SilenceWatchOptions) {
    this.o = { ...SILENCE_DEFAULTS, ...stripUndefined(opts) };
  }

  /** Series tracked now. */
  get size(): number {
    return this.count;
  }

  /**
   * One reading arrived. Returns a report when it ends a silence that `scan` reported, else null.
   * @example watch.observe('valle/sur/madera/aserradero', 'output', 'aserradero-plc', Date.now())
   */
  observe(node: string, indicator: string, deviceId: string, ts: number): SilenceReport | null {
    const row = this.series(node, indicator, deviceId);
    return row === undefined ? null : this.heard(row, ts, this.opts.now());
  }

  /** Every reading of one ingested batch (the columns of `ReadingBatch`); returns the series that spoke again. */
  observeBatch(
    b: Pick<ReadingBatch, 'node' | 'deviceId' | 'metricNames' | 'metric' | 'ts' | 'length'>,
    isIndicator?: (metric: string) => boolean,
  ): readonly SilenceReport[] {
    const at = this.opts.now();
    const series = b.metricNames.map((m) =>
      isIndicator && !isIndicator(m) ? undefined : this.series(b.node, m, b.deviceId),
    );
    let out: SilenceReport[] | null = null;
    for (let i = 0; i < b.length; i++) {
      const row = series[b.metric[i]!];
      if (row === undefined) continue;
      const resumed = this.heard(row, b.ts[i]!, at);
      if (resumed) (out ??= []).push(resumed);
    }
    return out ?? NONE;
  }

  /**
   * The series that went silent since the last scan: each silence is reported once; the series
   * is reported again only after it resumed and fell silent anew.
   */
  scan(): SilenceReport[] {
    const now = this.opts.now();
    const out: SilenceReport[] = [];
    const r = this.rows;
    for (let row = 0; row < r.used; row++) {
      if (r.deviceId[row] === undefined || r.silent[row] === 1 || r.readings[row]! < this.o.minReadings) continue;
      const quiet = now - r.lastSeen[row]!;
      if (quiet <= silenceAfterMs(r.typical[row]!, this.o.intervals, this.o.minSilenceMs)) continue;
      r.silent[row] = 1;
      out.push(r.report(row, quiet));
    }
    return out;
  }

  /** Forgets a device's series (e.g. a device removed from the model). */
  forgetDevice(deviceId: string): void {
    const perDevice = this.byDevice.get(deviceId);
    if (!perDevice) return;
    for (const row of perDevice.values()) this.rows.release(row);
    this.count -= perDevice.size;
    this.byDevice.delete(deviceId);
  }

  private series(node: string, indicator: string, deviceId: string): number | undefined {
    let perDevice = this.byDevice.get(deviceId);
    const row = perDevice?.get(indicator);
    if (row !== undefined) {
      if (this.rows.node[row] !== node) {
        // The model moved the device to another node: a new series from here on.
        this.rows.node[row] = node;
        this.rows.restart(row);
      }
      return row;
    }
    if (this.count >= this.o.maxSeries) return undefined;
    if (!perDevice) this.byDevice.set(deviceId, (perDevice = new Map()));
    const added = this.rows.add(node, indicator, deviceId);
    perDevice.set(indicator, added);
    this.count++;
    return added;
  }

  private heard(row: number, ts: number, at: number): SilenceReport | null {
    const r = this.rows;
    const resumed = r.silent[row] === 1 ? r.report(row, at - r.lastSeen[row]!) : null;
    r.silent[row] = 0;
    // Only forward steps teach the interval: a replayed or duplicate timestamp says nothing about it.
    const lastTs = r.lastTs[row]!;
    const gap = ts - lastTs;
    if (gap > 0 && Number.isFinite(gap)) r.typical[row] = nextTypical(r.typical[row]!, gap);
    if (ts > lastTs) r.lastTs[row] = ts;
    r.lastSeen[row] = at;
    if (r.readings[row]! < MAX_COUNT) r.readings[row] = r.readings[row]! + 1;
    return resumed;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'now')) as Partial<T>;
}
