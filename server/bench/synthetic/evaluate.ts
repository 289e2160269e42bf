/**
 * Scoring what a streaming detector RAISES on one synthetic series (families.ts): its `alert`
 * rows, not its scores. Pure functions over a trace of the detector's outputs.
 *
 * Definitions (the numbers are in `EVALUATION`):
 * - alert row: a reading whose output has `alert: true` (the server raises or updates an alert).
 * - onset: an alert row whose previous alert row is more than 10 readings earlier, or the first.
 *   Nothing is skipped: alerts while the detector is learning count like any other (and
 *   `learningAlertRows` counts rows with both `alert` and `learning`, which the contract forbids).
 * - detected: an alert row in [start, start + 20] (steps, transients) or [start, start + 60]
 *   (slopes), or [start, start + detectWithin] when the event states one (the sustained shifts: 60);
 *   the delay is the first such row minus `start`.
 * - kind at +3: the kind of the latest alert row in [first, first + 3], so an alert that opens as
 *   'change' and is reclassified within 3 readings counts by its new kind.
 * - false alert: an alert row (or onset) outside [start, end + 30]; the rate is per 10,000 of the
 *   readings outside that span. Onsets inside it other than the detecting one are counted apart
 *   (`extraOnsets`: re-alerts on the same event, seen by a user as more alerts).
 *
 * @example
 *   const series = generateFamily('step-white-10', 1);
 *   const score = scoreSeries(series, traceDetector(createDetector(), series));
 *   score.event?.detected; // true
 */
import type { ChangeKindOrNone, StreamingDetector } from '../../src/vsm/detectors/detector.js';
import type { EventKind, Series, SyntheticEvent } from './families.js';

export const EVALUATION = Object.freeze({
  onsetGap: 10, // readings: an alert row more than this after the previous one opens an onset
  detectWindow: Object.freeze({ step: 20, transient: 20, slope: 60 } satisfies Record<EventKind, number>), // readings after start
  falseMargin: 30, // readings after an event's end where alerts are still not false
  kindLookahead: 3, // readings after the first alert row whose reclassification counts
});

/** Kind codes in a trace (index into this list). */
export const KIND_NAMES: readonly ChangeKindOrNone[] = Object.freeze([
  'none',
  'change',
  'step',
  'slope',
  'transient',
  'flatline',
]);
const KIND_CODE: ReadonlyMap<string, number> = new Map(KIND_NAMES.map((k, i) => [k, i]));

/** A detector's outputs over one series, one entry per reading. */
export interface DetectorTrace {
  alert: Uint8Array;
  learning: Uint8Array;
  /** Index into KIND_NAMES. */
  kind: Uint8Array;
  probability: Float64Array;
  /** Wall-clock nanoseconds spent in the update loop. */
  updateNanos: number;
}

/** Feeds every reading of `series` to `detector` in order and records its outputs. */
export function traceDetector(detector: StreamingDetector, series: Pick<Series, 'values' | 'times'>): DetectorTrace {
  const n = series.values.length;
  const alert = new Uint8Array(n);
  const learning = new Uint8Array(n);
  const kind = new Uint8Array(n);
  const probability = new Float64Array(n);
  const { values, times } = series;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const out = detector.update(values[i]!, times[i]!);
    alert[i] = out.alert ? 1 : 0;
    learning[i] = out.learning ? 1 : 0;
    const code = KIND_CODE.get(out.kind);
    if (code === undefined)
      throw new RangeError(`detector returned an unknown kind ${JSON.stringify(out.kind)} at row ${i}`);
    kind[i] = code;
    probability[i] = out.probability;
  }
  const updateNanos = Number(process.hrtime.bigint() - t0);
  return { alert, learning, kind, probability, updateNanos };
}

/**
 * Rows of alert onsets: alert rows whose previous alert row is more than `gap` readings earlier.
 *
 * @example alertOnsets(rowsToFlags([5, 10, 21, 40], 50)) // [5, 21, 40]
 */
export function alertOnsets(alert: ArrayLike<number>, gap: number = EVALUATION.onsetGap): number[] {
  const out: number[] = [];
  let last = -Infinity;
  for (let i = 0; i < alert.length; i++) {
    if (!alert[i]) continue;
    if (i - last > gap) out.push(i);
    last = i;
  }
  return out;
}

/** Flags (1 at each row in `rows`) of length n: a helper for hand-made traces. */
export function rowsToFlags(rows: readonly number[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (const r of rows) out[r] = 1;
  return out;
}

/**
 * The latest alert row in [row, row + lookahead] (clipped to the trace), or `row` itself if none:
 * the row whose kind (and probability) an alert opened at `row` carries.
 */
export function settledRow(
  trace: Pick<DetectorTrace, 'alert'>,
  row: number,
  lookahead: number = EVALUATION.kindLookahead,
): number {
  const last = Math.min(row + lookahead, trace.alert.length - 1);
  for (let i = last; i > row; i--) if (trace.alert[i]) return i;
  return row;
}

/** An onset with what it stated and what was true, for calibration. */
export interface OnsetOutcome {
  row: number;
  /** Probability stated at the onset row. */
  probability: number;
  /** The onset lies in its event's detection window. */
  detected: boolean;
  /** Probability stated at the settled row (the one whose kind counts). */
  kindProbability: number;
  /** Detected, and the kind at +3 is the event's kind. */
  kindCorrect: boolean;
}

interface SeriesScoreBase {
  readings: number;
  onsets: number;
  alertRows: number;
  /** Rows with both alert and learning (the contract says learning raises nothing). */
  learningAlertRows: number;
  onsetOutcomes: OnsetOutcome[];
}

export interface EventScore {
  kind: EventKind;
  sizeSigma: number;
  start: number;
  detected: boolean;
  /** Readings from start to the first alert row in the detection window; null if missed. */
  delay: number | null;
  /** Kind at +3 of the detecting alert; null if missed. */
  reportedKind: ChangeKindOrNone | null;
  kindCorrect: boolean;
  /** Onsets and alert rows outside [start, end + falseMargin]. */
  falseOnsets: number;
  falseAlertRows: number;
  /** Readings outside [start, end + falseMargin]: the denominator of false-alert rates. */
  falseExposure: number;
  /** Onsets in [start, end + falseMargin] other than the first detecting one. */
  extraOnsets: number;
}

export interface SeriesScore extends SeriesScoreBase {
  /** Null for a null family (then every alert is false). */
  event: EventScore | null;
}

/** Scores one trace against its series' ground truth (at most one event per series). */
export function scoreSeries(series: Pick<Series, 'values' | 'events'>, trace: DetectorTrace): SeriesScore {
  const n = series.values.length;
  if (trace.alert.length !== n) throw new RangeError(`trace has ${trace.alert.length} rows, series ${n}`);
  if (series.events.length > 1) throw new RangeError('scoreSeries handles at most one event per series');
  const onsets = alertOnsets(trace.alert);
  let alertRows = 0;
  let learningAlertRows = 0;
  for (let i = 0; i < n; i++) {
    if (trace.alert[i]) {
      alertRows++;
      if (trace.learning[i]) learningAlertRows++;
    }
  }
  const ev = series.events[0];
  const event = ev ? scoreEvent(ev, n, trace, onsets) : null;
  const onsetOutcomes = onsets.map((row): OnsetOutcome => {
    const settled = settledRow(trace, row);
    const detected = ev !== undefined && isChangeOnset(ev, row, n);
    return {
      row,
      probability: trace.probability[row]!,
      detected,
      kindProbability: trace.probability[settled]!,
      kindCorrect: detected && KIND_NAMES[trace.kind[settled]!] === ev.kind,
    };
  });
  return { readings: n, onsets: onsets.length, alertRows, learningAlertRows, onsetOutcomes, event };
}

function scoreEvent(ev: SyntheticEvent, n: number, trace: DetectorTrace, onsets: readonly number[]): EventScore {
  const windowEnd = Math.min(ev.start + detectWindowOf(ev), n - 1);
  let first = -1;
  for (let i = ev.start; i <= windowEnd; i++) {
    if (trace.alert[i]) {
      first = i;
      break;
    }
  }
  const spanEnd = Math.min(ev.end + EVALUATION.falseMargin, n - 1);
  const inSpan = (r: number) => r >= ev.start && r <= spanEnd;
  let falseAlertRows = 0;
  for (let i = 0; i < n; i++) if (trace.alert[i] && !inSpan(i)) falseAlertRows++;
  const spanOnsets = onsets.filter(inSpan);
  const firstDetecting = spanOnsets.findIndex((r) => r <= windowEnd);
  const reportedKind = first < 0 ? null : KIND_NAMES[trace.kind[settledRow(trace, first)]!]!;
  return {
    kind: ev.kind,
    sizeSigma: ev.sizeSigma,
    start: ev.start,
    detected: first >= 0,
    delay: first < 0 ? null : first - ev.start,
    reportedKind,
    kindCorrect: reportedKind === ev.kind,
    falseOnsets: onsets.length - spanOnsets.length,
    falseAlertRows,
    falseExposure: n - (spanEnd - ev.start + 1),
    extraOnsets: spanOnsets.length - (firstDetecting >= 0 ? 1 : 0),
  };
}

/**
 * For calibration: whether an onset at `row` stands on a real change — within the detection window of the event's start,
 * or of its end when a step ends before the series does (a shift's return is a step back of the same size: a real
 * change, which the false-alert counts already do not count as false). Before 2026-12-07 only the start counted, so an
 * alert at a shift's return was scored as a false onset in the reliability table.
 */
function isChangeOnset(ev: SyntheticEvent, row: number, n: number): boolean {
  const w = detectWindowOf(ev);
  if (row >= ev.start && row <= ev.start + w) return true;
  return ev.kind === 'step' && ev.end < n - 1 && row > ev.end && row <= ev.end + 1 + w;
}

/** Readings after an event's start within which an alert row detects it. */
export function detectWindowOf(ev: Pick<SyntheticEvent, 'kind' | 'detectWithin'>): number {
  return ev.detectWithin ?? EVALUATION.detectWindow[ev.kind];
}

/** Events per 10,000 readings, e.g. per10k(3, 3000) = 10. 0 when there are no readings. */
export function per10k(count: number, readings: number): number {
  return readings > 0 ? (count / readings) * 10_000 : 0;
}
