import {
  beerIndices,
  rollup,
  type IndicatorDef,
  type IndicatorUpdate,
  type Model,
  type ModelNode,
  type NodeReading,
  type ReadingBatch,
  type RollupInput,
} from '@opsroom/models';
import type { DetectorOutput, DetectorState, StreamingDetector } from './detectors/detector.js';
import { restoreDetector } from './detectors/restore.js';
import { fewAdd, fewGet, fewValues, type FewMap } from '../collections/few-map.js';
import { effectiveLevels, type EffectiveLevels, type LearnedLevels } from './levels.js';
import { nextTypical } from './silence-watch.js';

/** What a detector saw, with where: handed to the alert service. */
export interface Detection {
  node: string;
  indicator: string;
  /** Which series of the indicator: its actuality (default) or one of Beer's indices. */
  series?: IndexSeries;
  ts: number;
  value: number;
  output: DetectorOutput;
}

/** Beer's indices, each watched by a detector of its own at every node (once per period). */
export const INDEX_SERIES = ['productivity', 'latency', 'performance'] as const;
export type IndexSeries = (typeof INDEX_SERIES)[number];

export interface LiveModelOptions {
  /**
   * A child with nothing in this period is stale. Also the longest a device series may stay quiet
   * before it is missing, and how long it may while no interval between its readings is learnt yet
   * (see {@link staleAfterMs}).
   */
  rollupPeriodMs: number;
  /**
   * The least margin past a device series' learnt interval before it is missing, ms (default 5000; see staleAfterMs).
   */
  staleMarginMs?: number;
  now: () => number;
  createDetector: () => StreamingDetector;
  onDetection: (d: Detection) => void;
  /**
   * The detector of a device series sees at most one reading per this many ms (by reading
   * timestamps): every reading of a feed up to 1000/detectIntervalMs Hz (20 Hz by default, so a
   * 10 Hz feed's steps and single spikes are all seen), and above that the first reading of each
   * interval, which keeps detection O(series), not O(readings), under batched high-rate input
   * (a 1 kHz feed's single-reading spike can be missed; its steps are not). A clock that stepped
   * back is scored at once. Default 50 ms; 0 scores every reading.
   */
  detectIntervalMs?: number;
  /**
   * Restores a detector from its snapshot (importDetectors); default: restoreDetector, which knows every detector type.
   */
  restoreDetector?: (state: DetectorState) => StreamingDetector;
}

/** What importDetectors did with the snapshots it was given. */
export interface DetectorImport {
  /** Restored: their series continue where they stopped (no learning period again). */
  restored: number;
  /**
   * Not for this model: node, indicator or index unknown, device no longer bound to the node, or a key of no known
   * shape.
   */
  skipped: number;
  /** The snapshot did not restore (unknown type or version, malformed): the series starts afresh. */
  failed: number;
}

interface Cell {
  value: number | null;
  ts: number;
  stale: boolean;
  missingChildren: number;
  /** Device series at this node or any depth below it that stopped sending (see staleAfterMs). */
  missingDescendants: number;
  score?: number;
  forecast?: { mean: number; lower: number; upper: number };
  /** The detector behind `score` is still learning the series (it raises nothing yet). */
  learning?: boolean;
  /**
   * Latest value per device bound to this node: the one series itself, an array while there are
   * few, a Map beyond (see FewMap; a Map per cell cost ~120 B more per series).
   */
  devices?: FewMap<string, DeviceSeries>;
}

/**
 * A node's cells, one per indicator at the indicator's position in model.indicators (a small array, not a Map per
 * node).
 */
type Row = Array<Cell | undefined>;

/** One device's series of one indicator at its node: its latest reading and its detector. */
interface DeviceSeries {
  /** The device id (the model's string, not a copy). */
  id: string;
  value: number;
  ts: number;
  /** When it was last heard, by the server's clock (a seeded value: its reading's ts), ms since epoch. */
  heardAt: number;
  /** Learnt interval between its arrivals (server clock), ms (silence-watch's nextTypical); NaN until the first gap. */
  typical: number;
  /** Gaps learnt so far (counted up to MIN_GAPS): the interval is trusted from MIN_GAPS on. */
  gaps: number;
  detector?: StreamingDetector;
  /** ts of the last reading the detector saw. */
  detectedAt: number;
}

/**
 * How long a device series may stay quiet (by the server's clock) before it is missing, which
 * makes its node's value stale when it was the node's only fresh series and is counted in
 * `missingDescendants` at its node and every ancestor: its learnt interval between arrivals plus
 * a margin of one more interval, at least `minMarginMs`; never longer than the roll-up period, and
 * the roll-up period itself while no interval is learnt (fewer than three gaps between arrivals so
 * far, or a value seeded at start-up).
 * @example staleAfterMs(1000, 60_000) // 6000: a 1 s sensor is missing 6 s after its last reading
 * @example staleAfterMs(20_000, 60_000) // 40000: 20 s + one more interval
 * @example staleAfterMs(45_000, 60_000) // 60000: capped at the roll-up period
 * @example staleAfterMs(NaN, 60_000) // 60000: nothing learnt yet
 */
export function staleAfterMs(
  typicalMs: number,
  rollupPeriodMs: number,
  minMarginMs: number = DEFAULT_STALE_MARGIN_MS,
): number {
  if (!(typicalMs > 0)) return rollupPeriodMs;
  return Math.min(rollupPeriodMs, typicalMs + Math.max(typicalMs, minMarginMs));
}

/** See staleAfterMs: the least margin past a learnt interval, ms. */
export const DEFAULT_STALE_MARGIN_MS = 5000;
/**
 * Arrivals a device series' interval is learnt from before it is trusted (three gaps): until then
 * it may stay quiet for the roll-up period, so a few readings sent by hand do not go stale early.
 */
const MIN_GAPS = 3;
/** Granularity of the queue of series deadlines (flush re-examines a node at most this late), ms. */
const DUE_BUCKET_MS = 250;

/**
 * The live state of the recursion: the latest actuality of every node and indicator, rolled up
 * the tree by each indicator's rule, with staleness and Beer's indices. Leaves' detectors run per
 * reading (per device series); parents' run once per roll-up period on the rolled-up value.
 */
export class LiveModel {
  /** Cells by node, then indicator: no key string per cell or per reading. */
  private readonly grid = new Map<string, Row>();
  /**
   * Detectors of rolled-up and index series, keyed `${path}\0${indicator}` or
   * `${path}\0${indicator}\0#${index}`. A device series keeps its detector on its DeviceSeries
   * (no key string per device series).
   */
  private readonly detectors = new Map<string, StreamingDetector>();
  private readonly dirty = new Set<string>();
  /**
   * When a node's freshest-expiring device series runs out (see staleAfterMs): bucket
   * (ceil(ms / DUE_BUCKET_MS)) -> node paths. flush() marks due nodes dirty, so a device that stops
   * sending turns its node stale, and counts as missing at every ancestor, without a reading.
   */
  private readonly due = new Map<number, Set<string>>();
  /** The one pending bucket of each node in `due` (a node is never queued twice: at most one entry per node). */
  private readonly dueOf = new Map<string, number>();
  private levels: Map<string, Map<string, EffectiveLevels>>;
  /** Levels learned from history (LevelLearner), kept across model reloads. */
  private learned: LearnedLevels = new Map();
  private byDepth: ModelNode[];
  /** Position of each indicator id in model.indicators: its column in a Row. */
  private indicatorIndex: Map<string, number>;

  constructor(
    private model: Model,
    private readonly opts: LiveModelOptions,
  ) {
    this.levels = effectiveLevels(model);
    this.byDepth = [...model.nodes.values()].sort((a, b) => b.depth - a.depth);
    this.indicatorIndex = new Map(model.indicators.map((i, k) => [i.id, k]));
  }

  /**
   * Switches to a new version of the model (the model file was edited) without losing state: the
   * latest values and the detectors of every node and indicator that still exist are kept; those
   * of removed nodes and indicators are dropped, and so are a node's device values when that device
   * is no longer bound to it. Capability, potentiality and roll-up rules come from the new model.
   * Every node is recomputed on the next flush(), which therefore returns an update for each.
   * @returns what was dropped, for the log.
   */
  replaceModel(model: Model): { droppedCells: number; droppedDetectors: number } {
    const indicators = new Map(model.indicators.map((i, k) => [i.id, k]));
    const boundTo = (path: string, deviceId: string) => model.devices.get(deviceId)?.node === path;
    let droppedCells = 0;
    let droppedDetectors = 0;
    const oldIndicators = this.model.indicators;
    for (const [path, row] of this.grid) {
      // Columns follow the new model's indicator order.
      const next: Row = new Array<Cell | undefined>(model.indicators.length).fill(undefined);
      let kept = 0;
      for (let k = 0; k < row.length; k++) {
        const cell = row[k];
        if (!cell) continue;
        const indicator = oldIndicators[k]!.id;
        const to = indicators.get(indicator);
        if (!model.nodes.has(path) || to === undefined) {
          droppedCells++;
          for (const d of fewValues(cell.devices)) {
            if (!d.detector) continue;
            d.detector.dispose?.();
            d.detector = undefined; // a checkpoint iterating this cell meanwhile (detectorEntries) skips it
            droppedDetectors++;
          }
          continue;
        }
        next[to] = cell;
        kept++;
        if (!cell.devices) continue;
        // A device series needs its device still bound there.
        let devices: FewMap<string, DeviceSeries> | undefined;
        for (const d of fewValues(cell.devices)) {
          if (boundTo(path, d.id)) devices = fewAdd(devices, d.id, d, deviceKey);
          else if (d.detector) {
            d.detector.dispose?.();
            d.detector = undefined;
            droppedDetectors++;
          }
        }
        cell.devices = devices;
      }
      if (kept === 0) this.grid.delete(path);
      else this.grid.set(path, next);
    }
    for (const key of this.detectors.keys()) {
      // `${path}\0${indicator}` for a rolled-up series, `${path}\0${indicator}\0#${index}` for an index series: only
      // its node and indicator must remain.
      const [path, indicator] = key.split('\u0000') as [string, string];
      if (!model.nodes.has(path) || !indicators.has(indicator)) {
        this.detectors.get(key)!.dispose?.();
        this.detectors.delete(key);
        droppedDetectors++;
      }
    }
    this.model = model;
    this.levels = effectiveLevels(model, this.learned);
    this.byDepth = [...model.nodes.values()].sort((a, b) => b.depth - a.depth);
    this.indicatorIndex = indicators;
    this.dirty.clear();
    for (const node of this.byDepth) this.dirty.add(node.path);
    return { droppedCells, droppedDetectors };
  }

  /**
   * Takes new levels learned from history (LevelLearner): capability, potentiality and Beer's indices of every node
   * follow at the next flush(), which returns an update for each (their sources say `learned`).
   */
  setLearned(learned: LearnedLevels): void {
    this.learned = learned;
    this.levels = effectiveLevels(this.model, learned);
    for (const node of this.byDepth) this.dirty.add(node.path);
  }

  /**
   * Applies readings (already stored) and runs the leaf detectors. Readings for a node or
   * indicator the model does not have (e.g. mapped just before a model reload removed it) are
   * skipped.
   */
  ingest(readings: readonly NodeReading[]): void {
    const at = this.opts.now();
    for (const r of readings) {
      const cell = this.cellFor(r.node, r.metric);
      if (!cell) continue;
      this.apply(cell, r.node, r.metric, r.deviceId, r.value, r.ts, at);
      this.markDirty(r.node);
    }
  }

  /**
   * The same for one message's readings in columns (the ingest hot path): the cell is looked up
   * once per metric of the message and the node marked once, not per reading.
   */
  ingestBatch(b: ReadingBatch): void {
    const cells = b.metricNames.map((m) => this.cellFor(b.node, m));
    const at = this.opts.now();
    let any = false;
    for (let i = 0; i < b.length; i++) {
      const m = b.metric[i]!;
      const cell = cells[m];
      if (!cell) continue;
      this.apply(cell, b.node, b.metricNames[m]!, b.deviceId, b.values[i]!, b.ts[i]!, at);
      any = true;
    }
    if (any) this.markDirty(b.node);
  }

  private cellFor(node: string, metric: string): Cell | undefined {
    const k = this.indicatorIndex.get(metric);
    if (k === undefined) return undefined;
    return this.grid.get(node)?.[k] ?? (this.model.nodes.has(node) ? this.cell(node, metric) : undefined);
  }

  /**
   * One reading of a device series, heard at `at` (server clock): the latest value, its interval
   * between arrivals, and the detector at most once per detectIntervalMs of reading time.
   */
  private apply(
    cell: Cell,
    node: string,
    metric: string,
    deviceId: string,
    value: number,
    ts: number,
    at: number,
  ): void {
    let series = fewGet(cell.devices, deviceId, deviceKey);
    if (!series) {
      series = { id: deviceId, value, ts, heardAt: at, typical: NaN, gaps: 0, detectedAt: -Infinity };
      cell.devices = fewAdd(cell.devices, deviceId, series, deviceKey);
    }
    // The interval is learnt on the server's clock, between arrivals: what staleness measures. The
    // readings of one message arrive together (gap 0, not learnt), so a device that sends a batch
    // every 10 s is expected every 10 s, whatever its sampling rate; a gap longer than the roll-up
    // period (an outage, a restart since a seeded value) teaches nothing, as the period caps
    // staleAfterMs anyway.
    const gap = at - series.heardAt;
    if (gap > 0 && gap <= this.opts.rollupPeriodMs) {
      series.typical = nextTypical(series.typical, gap);
      if (series.gaps < MIN_GAPS) series.gaps++;
    }
    series.heardAt = at;
    series.value = value;
    series.ts = ts;
    const every = this.opts.detectIntervalMs ?? DEFAULT_DETECT_INTERVAL_MS;
    if (ts >= series.detectedAt + every || ts < series.detectedAt) {
      series.detector ??= this.opts.createDetector();
      series.detectedAt = ts;
      const out = series.detector.update(value, ts);
      cell.score = out.score;
      cell.learning = out.learning;
      if (out.forecast) cell.forecast = out.forecast;
      this.opts.onDetection({ node, indicator: metric, ts, value, output: out });
    }
  }

  /**
   * Restores the latest value of each device series after a restart (from the store), without
   * running detectors: the live view shows what was known, staleness still applies.
   */
  seed(readings: readonly NodeReading[]): void {
    for (const r of readings) {
      if (!this.model.nodes.has(r.node) || !this.indicatorIndex.has(r.metric)) continue;
      const cell = this.cell(r.node, r.metric);
      const prev = fewGet(cell.devices, r.deviceId, deviceKey);
      if (prev && prev.ts >= r.ts) continue;
      // Heard when it was read (not later than now: a device clock ahead of the server's).
      const heardAt = Math.min(r.ts, this.opts.now());
      if (prev) {
        prev.value = r.value;
        prev.ts = r.ts;
        prev.heardAt = heardAt;
      } else
        cell.devices = fewAdd(
          cell.devices,
          r.deviceId,
          { id: r.deviceId, value: r.value, ts: r.ts, heardAt, typical: NaN, gaps: 0, detectedAt: -Infinity },
          deviceKey,
        );
      this.markDirty(r.node);
    }
  }

  /**
   * Every detector with its key, snapshotted as the iteration reaches it (a checkpoint consumes it
   * in batches, yielding to ingest between them, without holding every snapshot at once; a
   * detector dropped by replaceModel meanwhile is not reached, one added may be). Keys:
   * `${node}\0${indicator}\0@${deviceId}` for a
   * device series, `${node}\0${indicator}` for a rolled-up series, `${node}\0${indicator}\0#${index}`
   * for one of Beer's indices. Node paths, indicator and device ids hold no \0, so a key splits back.
   */
  *detectorEntries(): Generator<[string, DetectorState]> {
    for (const [path, row] of this.grid) {
      // The row's columns follow the model of the moment it is reached (replaceModel swaps rows and model together).
      const indicators = this.model.indicators;
      for (let k = 0; k < row.length; k++) {
        const cell = row[k];
        if (!cell?.devices) continue;
        for (const d of fewValues(cell.devices)) {
          if (d.detector) yield [`${path}\u0000${indicators[k]!.id}\u0000@${d.id}`, d.detector.snapshot()];
        }
      }
    }
    for (const [key, d] of this.detectors) yield [key, d.snapshot()];
  }

  /** Snapshots of every detector, keyed as in detectorEntries(): what importDetectors() takes after a restart. */
  exportDetectors(): Array<[string, DetectorState]> {
    return [...this.detectorEntries()];
  }

  /**
   * Restores detectors exported by exportDetectors() (typically by an earlier process, through a
   * checkpoint file), so their series are not learning again. Call it before seed(): a device
   * series restored here exists without a value until seed() or its next reading gives it one. A
   * snapshot whose node or indicator the model no longer has, or whose device is no longer bound to
   * that node, is skipped; one that does not restore is counted as failed, and its series starts
   * afresh at its next reading. A detector already at a key is replaced (and disposed).
   */
  importDetectors(entries: Iterable<readonly [string, DetectorState]>): DetectorImport {
    const restore = this.opts.restoreDetector ?? restoreDetector;
    const counts: DetectorImport = { restored: 0, skipped: 0, failed: 0 };
    for (const [key, state] of entries) {
      const where = this.seriesOf(key);
      if (!where) {
        counts.skipped++;
        continue;
      }
      let detector: StreamingDetector;
      try {
        detector = restore(state);
      } catch {
        counts.failed++;
        continue;
      }
      counts.restored++;
      const { path, indicator, device } = where;
      if (device === undefined) {
        this.detectors.get(key)?.dispose?.();
        this.detectors.set(key, detector);
        continue;
      }
      const cell = this.cell(path, indicator);
      const known = fewGet(cell.devices, device, deviceKey);
      if (known) {
        known.detector?.dispose?.();
        known.detector = detector;
        known.detectedAt = -Infinity;
      } else {
        // No value yet: ts −∞ keeps it out of the roll-up until seed() or a reading sets one.
        const id = this.model.devices.get(device)!.id; // the model's string, not the key's copy
        cell.devices = fewAdd(
          cell.devices,
          id,
          { id, value: NaN, ts: -Infinity, heardAt: -Infinity, typical: NaN, gaps: 0, detector, detectedAt: -Infinity },
          deviceKey,
        );
      }
    }
    return counts;
  }

  /** The series a detector key names, if this model has it (for a device series: the device bound to that node). */
  private seriesOf(key: string): { path: string; indicator: string; device?: string } | undefined {
    const [path, indicator, series, ...rest] = key.split('\u0000');
    if (path === undefined || indicator === undefined || rest.length > 0) return undefined;
    if (!this.model.nodes.has(path) || !this.indicatorIndex.has(indicator)) return undefined;
    if (series === undefined) return { path, indicator };
    const name = series.slice(1);
    if (series[0] === '#') return (INDEX_SERIES as readonly string[]).includes(name) ? { path, indicator } : undefined;
    if (series[0] === '@')
      return this.model.devices.get(name)?.node === path ? { path, indicator, device: name } : undefined;
    return undefined;
  }

  /** Recomputes the nodes touched since the last flush (children before parents) and returns their updates. */
  flush(): IndicatorUpdate[] {
    const now = this.opts.now();
    this.markDue(now);
    if (this.dirty.size === 0) return [];
    const updates: IndicatorUpdate[] = [];
    for (const node of this.byDepth) {
      if (!this.dirty.has(node.path)) continue;
      for (const ind of this.model.indicators) {
        this.recompute(node, ind, now);
        updates.push(this.view(node.path, ind.id));
      }
    }
    this.dirty.clear();
    return updates;
  }

  /**
   * Once per roll-up period: recompute everything (staleness moves with time alone) and run the
   * parents' detectors on their rolled-up values.
   */
  periodTick(): IndicatorUpdate[] {
    for (const node of this.byDepth) this.dirty.add(node.path);
    const updates = this.flush();
    const now = this.opts.now();
    for (const u of updates) {
      const node = this.model.nodes.get(u.node)!;
      if (u.value === null || u.stale) continue;
      // Beer's indices of every node, leaves included (Cyberstride watched the indices): one
      // detector per node, indicator and index, fed once per period.
      for (const series of INDEX_SERIES) {
        const v = u[series];
        if (v === null || !Number.isFinite(v)) continue;
        const out = this.detector(`${u.node}\u0000${u.indicator}\u0000#${series}`).update(v, now);
        this.opts.onDetection({ node: u.node, indicator: u.indicator, series, ts: now, value: v, output: out });
      }
      if (node.children.length === 0) continue;
      const out = this.detector(`${u.node}\u0000${u.indicator}`).update(u.value, u.ts);
      const cell = this.cell(u.node, u.indicator);
      cell.score = u.score = out.score;
      cell.learning = u.learning = out.learning;
      if (out.forecast) cell.forecast = u.forecast = out.forecast;
      this.opts.onDetection({ node: u.node, indicator: u.indicator, ts: u.ts, value: u.value, output: out });
    }
    return updates;
  }

  /** The latest view of every node and indicator, optionally only nodes passing `filter`. */
  snapshot(filter: (path: string) => boolean = () => true): IndicatorUpdate[] {
    const out: IndicatorUpdate[] = [];
    for (const path of this.model.nodes.keys()) {
      if (!filter(path)) continue;
      const row = this.grid.get(path);
      if (row) this.model.indicators.forEach((ind, k) => row[k] && out.push(this.view(path, ind.id)));
    }
    return out;
  }

  /**
   * A node's value from its fresh device series and fresh children. A device series is fresh
   * until staleAfterMs() after it was last heard; past that it is missing, counted in
   * `missingDescendants` here and, through the children's counts, at every ancestor.
   */
  private recompute(node: ModelNode, ind: IndicatorDef, now: number): void {
    const cell = this.cell(node.path, ind.id);
    const period = this.opts.rollupPeriodMs;
    const margin = this.opts.staleMarginMs ?? DEFAULT_STALE_MARGIN_MS;
    const inputs: RollupInput[] = [];
    let ts = 0;
    let missingBelow = 0;
    let nextExpiry = Infinity;
    if (cell.devices) {
      for (const d of fewValues(cell.devices)) {
        if (d.heardAt === -Infinity) continue; // restored detector, no value yet
        const expiry = d.heardAt + staleAfterMs(d.gaps >= MIN_GAPS ? d.typical : NaN, period, margin);
        if (now >= expiry) {
          missingBelow++;
          continue;
        }
        if (expiry < nextExpiry) nextExpiry = expiry;
        inputs.push({ value: d.value });
        if (d.ts > ts) ts = d.ts;
      }
    }
    if (nextExpiry !== Infinity) this.schedule(node.path, nextExpiry);
    let missing = 0;
    for (const childPath of node.children) {
      const child = this.grid.get(childPath)?.[this.indicatorIndex.get(ind.id)!];
      if (child) missingBelow += child.missingDescendants;
      if (!child || child.stale || child.value === null) {
        missing++;
        continue;
      }
      const weight = ind.weight ? this.model.nodes.get(childPath)!.weights[ind.weight] : undefined;
      inputs.push({ value: child.value, weight });
      if (child.ts > ts) ts = child.ts;
    }
    const value = rollup(ind.rollup, inputs);
    cell.stale = value === null;
    if (value !== null) {
      cell.value = value;
      cell.ts = ts;
    }
    cell.missingChildren = missing;
    cell.missingDescendants = missingBelow;
  }

  /**
   * Re-examine `path` at `at` (ms, server clock): one of its device series may be missing by then.
   * An earlier re-examination already queued stands (it recomputes the node, which queues the next
   * one), so a node that keeps hearing from its devices holds one entry, not one per flush.
   */
  private schedule(path: string, at: number): void {
    const bucket = Math.ceil(at / DUE_BUCKET_MS);
    const queued = this.dueOf.get(path);
    if (queued !== undefined) {
      if (queued <= bucket) return;
      this.due.get(queued)?.delete(path);
    }
    let paths = this.due.get(bucket);
    if (!paths) this.due.set(bucket, (paths = new Set()));
    paths.add(path);
    this.dueOf.set(path, bucket);
  }

  /** Marks dirty (with their ancestors) the nodes whose re-examination is due. */
  private markDue(now: number): void {
    if (this.due.size === 0) return;
    const upTo = Math.floor(now / DUE_BUCKET_MS);
    for (const [bucket, paths] of this.due) {
      if (bucket > upTo) continue;
      for (const p of paths) {
        this.dueOf.delete(p);
        this.markDirty(p);
      }
      this.due.delete(bucket);
    }
  }

  private view(path: string, indicator: string): IndicatorUpdate {
    const cell = this.cell(path, indicator);
    const lv = this.levels.get(path)?.get(indicator) ?? {};
    const value = cell.stale ? null : cell.value;
    return {
      node: path,
      indicator,
      ts: cell.ts,
      value,
      capability: lv.capability,
      potentiality: lv.potentiality,
      ...(lv.capabilitySource !== undefined ? { capabilitySource: lv.capabilitySource } : {}),
      ...(lv.potentialitySource !== undefined ? { potentialitySource: lv.potentialitySource } : {}),
      ...beerIndices(value, lv.capability, lv.potentiality),
      stale: cell.stale,
      missingChildren: cell.missingChildren,
      missingDescendants: cell.missingDescendants,
      score: cell.score,
      forecast: cell.forecast,
      ...(cell.learning !== undefined ? { learning: cell.learning } : {}),
    };
  }

  private markDirty(path: string): void {
    let node = this.model.nodes.get(path);
    while (node) {
      if (this.dirty.has(node.path)) return; // its ancestors are already marked
      this.dirty.add(node.path);
      node = node.parent ? this.model.nodes.get(node.parent) : undefined;
    }
  }

  private cell(path: string, indicator: string): Cell {
    const k = this.indicatorIndex.get(indicator)!;
    let row = this.grid.get(path);
    if (!row) this.grid.set(path, (row = new Array<Cell | undefined>(this.model.indicators.length).fill(undefined)));
    return (row[k] ??= { value: null, ts: 0, stale: true, missingChildren: 0, missingDescendants: 0 });
  }

  private detector(key: string): StreamingDetector {
    let d = this.detectors.get(key);
    if (!d) {
      d = this.opts.createDetector();
      this.detectors.set(key, d);
    }
    return d;
  }
}

const deviceKey = (d: DeviceSeries): string => d.id;

/** See LiveModelOptions.detectIntervalMs. */
export const DEFAULT_DETECT_INTERVAL_MS = 50;
