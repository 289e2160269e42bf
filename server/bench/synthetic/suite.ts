/**
 * The whole synthetic evaluation in-process: every family × seeds 1..N, a fresh detector per
 * series, one detector at a time; results by family, by event kind, and the calibration of the
 * probability stated at every alert onset (null families' onsets included: they are all false).
 *
 * @example
 *   const r = evaluateSyntheticSuite(() => createDetector(), { seeds: 5, families: ['null-white', 'step-white-5'] });
 *   r.nullFamilies[0].onsetsPer10k; r.eventFamilies[0].detectionRate; r.calibration.detection.brier;
 */
import type { ChangeKindOrNone, StreamingDetector } from '../../src/vsm/detectors/detector.js';
import { reliability, type Forecasted, type Reliability } from './calibration.js';
import { per10k, scoreSeries, traceDetector, type OnsetOutcome, type SeriesScore } from './evaluate.js';
import { FAMILY_NAMES, familySpec, generateFamily, type EventKind, type FamilySpec } from './families.js';

export interface SyntheticSuiteOptions {
  /** Seeds firstSeed..firstSeed + seeds − 1 per family. */
  seeds: number;
  /** Default 1. Tuning uses seeds apart from the ones reported (server/bench/nab/loco.ts uses 1001…). */
  firstSeed?: number;
  /** Family names (see FAMILY_NAMES); all if absent. */
  families?: readonly string[];
  /** Called before each series (for progress). */
  onSeries?: (family: string, seed: number, index: number, total: number) => void;
}

export interface NullFamilyResult {
  name: string;
  series: number;
  readings: number;
  onsets: number;
  alertRows: number;
  /** Pooled over seeds. */
  onsetsPer10k: number;
  alertRowsPer10k: number;
  /** The seed with the most onsets (then alert rows). */
  worst: { seed: number; onsetsPer10k: number; alertRowsPer10k: number };
  learningAlertRows: number;
}

export interface EventFamilyResult {
  name: string;
  kind: EventKind;
  base: string;
  size: number;
  series: number;
  detected: number;
  detectionRate: number;
  /** Over detected events; null if none. */
  medianDelay: number | null;
  kindCorrect: number;
  /** Share of detected events whose kind at +3 is right; null if none detected. */
  kindAccuracy: number | null;
  /** Kind at +3 of the detected events, by kind. */
  reportedKinds: Partial<Record<ChangeKindOrNone, number>>;
  /** Per 10,000 readings outside [start, end + 30], pooled over seeds. */
  falseOnsetsPer10k: number;
  falseAlertRowsPer10k: number;
  /** Re-alerts on the same event (onsets in its span besides the detecting one), per event. */
  extraOnsetsPerEvent: number;
  learningAlertRows: number;
}

/** Pooled over every base and size of one event kind. */
export interface EventKindResult {
  kind: EventKind;
  series: number;
  detectionRate: number;
  medianDelay: number | null;
  kindAccuracy: number | null;
}

export interface SeriesRecord {
  family: string;
  seed: number;
  score: Omit<SeriesScore, 'onsetOutcomes'>;
  /** Each onset with what it stated and what was true (the reliability tables pool these). */
  onsets: OnsetOutcome[];
}

export interface SyntheticSuiteResult {
  seeds: number;
  families: string[];
  nullFamilies: NullFamilyResult[];
  eventFamilies: EventFamilyResult[];
  eventKinds: EventKindResult[];
  calibration: {
    /** Probability at each onset vs: the onset detected an event. */
    detection: Reliability;
    /** Probability at the onset's settled row (+3) vs: detected with the right kind. */
    kind: Reliability;
  };
  readings: number;
  updateNanos: number;
  microsPerReading: number;
  series: SeriesRecord[];
}

/** Runs the suite; throws a RangeError naming an unknown family or a bad seed count. */
export function evaluateSyntheticSuite(
  create: () => StreamingDetector,
  opts: SyntheticSuiteOptions,
): SyntheticSuiteResult {
  if (!Number.isInteger(opts.seeds) || opts.seeds < 1)
    throw new RangeError(`seeds must be a positive integer, got ${opts.seeds}`);
  const specs = (opts.families ?? FAMILY_NAMES).map(familySpec);
  const total = specs.length * opts.seeds;
  const records: SeriesRecord[] = [];
  const outcomes: OnsetOutcome[] = [];
  let readings = 0;
  let updateNanos = 0;
  const bySpec = new Map<string, SeriesRecord[]>();
  let k = 0;
  for (const spec of specs) {
    const mine: SeriesRecord[] = [];
    const first = opts.firstSeed ?? 1;
    for (let seed = first; seed < first + opts.seeds; seed++) {
      opts.onSeries?.(spec.name, seed, k++, total);
      const series = generateFamily(spec.name, seed);
      const detector = create();
      let trace;
      try {
        trace = traceDetector(detector, series);
      } catch (err) {
        throw new Error(`${spec.name} seed ${seed}: ${(err as Error).message}`, { cause: err });
      } finally {
        detector.dispose?.();
      }
      const { onsetOutcomes, ...score } = scoreSeries(series, trace);
      outcomes.push(...onsetOutcomes);
      readings += score.readings;
      updateNanos += trace.updateNanos;
      const rec = { family: spec.name, seed, score, onsets: onsetOutcomes };
      mine.push(rec);
      records.push(rec);
    }
    bySpec.set(spec.name, mine);
  }
  const nullSpecs = specs.filter((s) => s.group === 'null');
  const eventSpecs = specs.filter((s) => s.group === 'event');
  const eventKinds = (['step', 'slope', 'transient'] as const)
    .map((kind) =>
      eventKindResult(
        kind,
        eventSpecs.filter((s) => s.kind === kind).flatMap((s) => bySpec.get(s.name)!),
      ),
    )
    .filter((r): r is EventKindResult => r !== null);
  const detection: Forecasted[] = outcomes.map((o) => ({ p: o.probability, outcome: o.detected }));
  const kind: Forecasted[] = outcomes.map((o) => ({ p: o.kindProbability, outcome: o.kindCorrect }));
  return {
    seeds: opts.seeds,
    families: specs.map((s) => s.name),
    nullFamilies: nullSpecs.map((s) => nullFamilyResult(s, bySpec.get(s.name)!)),
    eventFamilies: eventSpecs.map((s) => eventFamilyResult(s, bySpec.get(s.name)!)),
    eventKinds,
    calibration: { detection: reliability(detection), kind: reliability(kind) },
    readings,
    updateNanos,
    microsPerReading: readings > 0 ? updateNanos / 1000 / readings : 0,
    series: records,
  };
}

function nullFamilyResult(spec: FamilySpec, recs: readonly SeriesRecord[]): NullFamilyResult {
  let readings = 0;
  let onsets = 0;
  let alertRows = 0;
  let learningAlertRows = 0;
  let worst = recs[0]!;
  for (const r of recs) {
    readings += r.score.readings;
    onsets += r.score.onsets;
    alertRows += r.score.alertRows;
    learningAlertRows += r.score.learningAlertRows;
    const w = worst.score;
    if (r.score.onsets > w.onsets || (r.score.onsets === w.onsets && r.score.alertRows > w.alertRows)) worst = r;
  }
  return {
    name: spec.name,
    series: recs.length,
    readings,
    onsets,
    alertRows,
    onsetsPer10k: per10k(onsets, readings),
    alertRowsPer10k: per10k(alertRows, readings),
    worst: {
      seed: worst.seed,
      onsetsPer10k: per10k(worst.score.onsets, worst.score.readings),
      alertRowsPer10k: per10k(worst.score.alertRows, worst.score.readings),
    },
    learningAlertRows,
  };
}

function eventFamilyResult(spec: FamilySpec, recs: readonly SeriesRecord[]): EventFamilyResult {
  const evs = recs.map((r) => r.score.event!);
  const hit = evs.filter((e) => e.detected);
  const reportedKinds: Partial<Record<ChangeKindOrNone, number>> = {};
  for (const e of hit) reportedKinds[e.reportedKind!] = (reportedKinds[e.reportedKind!] ?? 0) + 1;
  const kindCorrect = hit.filter((e) => e.kindCorrect).length;
  const sum = (f: (e: (typeof evs)[number]) => number) => evs.reduce((a, e) => a + f(e), 0);
  const exposure = sum((e) => e.falseExposure);
  return {
    name: spec.name,
    kind: spec.kind!,
    base: spec.base,
    size: spec.size!,
    series: recs.length,
    detected: hit.length,
    detectionRate: hit.length / evs.length,
    medianDelay: median(hit.map((e) => e.delay!)),
    kindCorrect,
    kindAccuracy: hit.length > 0 ? kindCorrect / hit.length : null,
    reportedKinds,
    falseOnsetsPer10k: per10k(
      sum((e) => e.falseOnsets),
      exposure,
    ),
    falseAlertRowsPer10k: per10k(
      sum((e) => e.falseAlertRows),
      exposure,
    ),
    extraOnsetsPerEvent: sum((e) => e.extraOnsets) / evs.length,
    learningAlertRows: recs.reduce((a, r) => a + r.score.learningAlertRows, 0),
  };
}

function eventKindResult(kind: EventKind, recs: readonly SeriesRecord[]): EventKindResult | null {
  if (recs.length === 0) return null;
  const hit = recs.map((r) => r.score.event!).filter((e) => e.detected);
  return {
    kind,
    series: recs.length,
    detectionRate: hit.length / recs.length,
    medianDelay: median(hit.map((e) => e.delay!)),
    kindAccuracy: hit.length > 0 ? hit.filter((e) => e.kindCorrect).length / hit.length : null,
  };
}

/** Median of a list, null if empty. @example median([4, 1, 3]) // 3 */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
