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

interface Series {
  node: string;
  readonly indicator: string;
  readonly deviceId: string;
  readings: number;
  /** Latest reading timestamp (device clock). */
  lastTs: number;
  /** When it last arrived (server clock). */
  lastSeen: number;
  /** Learnt interval between successive reading timestamps, ms; NaN until the first positive gap. */
  typical: number;
  silent: boolean;
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

export class SilenceWatch {
  /** deviceId -> indicator -> series (two lookups and no string building per reading). */
  private readonly byDevice = new Map<string, Map<string, Series>>();
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
    const s = this.series(node, indicator, deviceId);
    return s ? this.heard(s, ts, this.opts.now()) : null;
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
      const s = series[b.metric[i]!];
      if (!s) continue;
      const resumed = this.heard(s, b.ts[i]!, at);
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
    for (const perDevice of this.byDevice.values()) {
      for (const s of perDevice.values()) {
        if (s.silent || s.readings < this.o.minReadings) continue;
        const quiet = now - s.lastSeen;
        if (quiet <= silenceAfterMs(s.typical, this.o.intervals, this.o.minSilenceMs)) continue;
        s.silent = true;
        out.push(report(s, quiet));
      }
    }
    return out;
  }

  /** Forgets a device's series (e.g. a device removed from the model). */
  forgetDevice(deviceId: string): void {
    const perDevice = this.byDevice.get(deviceId);
    if (!perDevice) return;
    this.count -= perDevice.size;
    this.byDevice.delete(deviceId);
  }

  private series(node: string, indicator: string, deviceId: string): Series | undefined {
    let perDevice = this.byDevice.get(deviceId);
    let s = perDevice?.get(indicator);
    if (s && s.node !== node) {
      // The model moved the device to another node: a new series from here on.
      s.node = node;
      s.readings = 0;
      s.typical = NaN;
      s.silent = false;
    }
    if (s) return s;
    if (this.count >= this.o.maxSeries) return undefined;
    if (!perDevice) this.byDevice.set(deviceId, (perDevice = new Map()));
    s = { node, indicator, deviceId, readings: 0, lastTs: -Infinity, lastSeen: -Infinity, typical: NaN, silent: false };
    perDevice.set(indicator, s);
    this.count++;
    return s;
  }

  private heard(s: Series, ts: number, at: number): SilenceReport | null {
    const resumed = s.silent ? report(s, at - s.lastSeen) : null;
    s.silent = false;
    // Only forward steps teach the interval: a replayed or duplicate timestamp says nothing about it.
    const gap = ts - s.lastTs;
    if (gap > 0 && Number.isFinite(gap)) s.typical = nextTypical(s.typical, gap);
    if (ts > s.lastTs) s.lastTs = ts;
    s.lastSeen = at;
    s.readings++;
    return resumed;
  }
}

function report(s: Series, silentForMs: number): SilenceReport {
  return {
    node: s.node,
    indicator: s.indicator,
    deviceId: s.deviceId,
    lastTs: s.lastTs,
    silentForMs,
    typicalIntervalMs: s.typical,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'now')) as Partial<T>;
}
