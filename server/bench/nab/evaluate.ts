/**
 * Running a streaming detector over a NAB corpus and scoring it under every profile.
 * Pure apart from the detector factory: reading files is the caller's job (see server/bench/nab/run.ts).
 *
 * @example
 *   const files = [{ name: 'a.csv', series: parseNabCsv(text), labels: [['2014-…', '2014-…']] }];
 *   const r = evaluateDetector(files, () => createDetector());
 *   r.profiles.standard.score   // 0..100
 */
import type { StreamingDetector } from '../../src/vsm/detectors/detector.js';
import type { NabSeries } from './csv.js';
import {
  NAB_PROFILES,
  normalisedScore,
  optimiseThreshold,
  rawScoreAt,
  type NabProfile,
  type NabProfileResult,
  type NabRawResult,
  type NabScoredFile,
} from './scorer.js';
import { probationaryRows, windowRows, type RowWindow } from './windows.js';

export interface NabInputFile {
  /** Path relative to the corpus's data/ folder, as in the labels file. */
  name: string;
  series: NabSeries;
  labels: ReadonlyArray<readonly [string, string]>;
}

export interface NabEvaluation {
  /** The anomaly score, with each profile's best single threshold (NAB's rule). */
  profiles: Record<keyof typeof NAB_PROFILES, NabProfileResult>;
  files: NabScoredFile[];
  /**
   * The alert column (1 where the detector's output says `alert`, what the server raises), scored
   * as it is: no threshold to choose. The figure that describes what planners see.
   */
  alertProfiles: Record<keyof typeof NAB_PROFILES, NabRawResult & { score: number }>;
  alertFiles: NabScoredFile[];
  rows: number;
  /** Wall-clock nanoseconds spent inside update(), over all rows. */
  updateNanos: number;
  /** Largest JSON.stringify(snapshot()).length seen, in bytes (UTF-16 code units; the snapshots are ASCII). */
  maxSnapshotBytes: number;
}

export interface EvaluateOptions {
  /** Called after each file (for progress). */
  onFile?: (name: string, index: number, count: number) => void;
}

/** Scores of one fresh detector over one series, rows in file order. */
export function scoreSeries(series: NabSeries, detector: StreamingDetector): Float64Array {
  const out = new Float64Array(series.values.length);
  for (let i = 0; i < out.length; i++) out[i] = detector.update(series.values[i]!, series.times[i]!).score;
  return out;
}

/**
 * Nanoseconds per reading of fresh detectors over every file of the corpus, updates only (no scoring): run after
 * evaluateDetector, the JIT has seen the code, as in a server that has been running for a while.
 */
export function timeCorpus(files: readonly NabInputFile[], create: () => StreamingDetector): number {
  let rows = 0;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    const d = create();
    const { values, times } = f.series;
    for (let i = 0; i < values.length; i++) sink += d.update(values[i]!, times[i]!).score;
    rows += values.length;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  if (Number.isNaN(sink)) throw new Error('timeCorpus: a score was NaN');
  return rows > 0 ? ns / rows : 0;
}

/** What fresh detectors that have seen only `history` readings before each window raise there (shortHistory). */
export interface ShortHistoryResult {
  history: number;
  /** Windows with an alert row inside them, and without. */
  detected: number;
  missed: number;
  /** Alert rows outside every window, past each segment's NAB probation (15 % of it, at most 750 rows). */
  falseRows: number;
  rows: number;
}

/**
 * The rows a short segment around window `w` spans — from `history` readings before it (or the file's start) to
 * `min(history, 500)` after it — and every window of the file that overlaps it, clipped to it and counted from its
 * first row. Shared by shortHistory and bench:loco's segments.
 */
export function windowSegment(
  length: number,
  windows: readonly RowWindow[],
  w: RowWindow,
  history: number,
): { from: number; to: number; windows: RowWindow[] } {
  const from = Math.max(0, w.start - history);
  const to = Math.min(length, w.end + 1 + Math.min(history, 500));
  return {
    from,
    to,
    windows: windows
      .filter((x) => x.end >= from && x.start < to)
      .map((x) => ({ start: Math.max(x.start, from) - from, end: Math.min(x.end, to - 1) - from })),
  };
}

/**
 * The product meets short series (a device added last week) and NAB's held-out categories hold files of 1,100–2,500
 * rows, while this subset's are of 4,000–22,700: for each labelled window, a fresh detector runs from `history` readings
 * before it (or the file's start) to `min(history, 500)` readings after it, and the window counts as detected if an
 * alert row falls inside it.
 */
export function shortHistory(
  files: readonly NabInputFile[],
  create: () => StreamingDetector,
  history: number,
): ShortHistoryResult {
  const out: ShortHistoryResult = { history, detected: 0, missed: 0, falseRows: 0, rows: 0 };
  for (const f of files) {
    const { values, times } = f.series;
    const windows = windowRows(f.series.timestamps, f.labels, f.name);
    for (const w of windows) {
      const seg = windowSegment(values.length, windows, w, history);
      const { from, to } = seg;
      const probation = from + probationaryRows(to - from);
      const d = create();
      let hit = false;
      for (let i = from; i < to; i++) {
        if (!d.update(values[i]!, times[i]!).alert || i < probation) continue;
        if (i >= w.start && i <= w.end) hit = true;
        else if (!seg.windows.some((x) => i - from >= x.start && i - from <= x.end)) out.falseRows++;
      }
      d.dispose?.();
      out.rows += to - from;
      if (hit) out.detected++;
      else out.missed++;
    }
  }
  return out;
}

export function evaluateDetector(
  files: readonly NabInputFile[],
  create: () => StreamingDetector,
  opts: EvaluateOptions = {},
): NabEvaluation {
  const scored: NabScoredFile[] = [];
  const alertFiles: NabScoredFile[] = [];
  let rows = 0;
  let updateNanos = 0;
  let maxSnapshotBytes = 0;
  files.forEach((f, k) => {
    const d = create();
    const n = f.series.values.length;
    const scores = new Float64Array(n);
    const alerts = new Float64Array(n);
    const half = n >> 1;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < half; i++) {
      const o = d.update(f.series.values[i]!, f.series.times[i]!);
      scores[i] = o.score;
      alerts[i] = o.alert ? 1 : 0;
    }
    updateNanos += Number(process.hrtime.bigint() - t0);
    maxSnapshotBytes = Math.max(maxSnapshotBytes, JSON.stringify(d.snapshot()).length);
    const t1 = process.hrtime.bigint();
    for (let i = half; i < n; i++) {
      const o = d.update(f.series.values[i]!, f.series.times[i]!);
      scores[i] = o.score;
      alerts[i] = o.alert ? 1 : 0;
    }
    updateNanos += Number(process.hrtime.bigint() - t1);
    maxSnapshotBytes = Math.max(maxSnapshotBytes, JSON.stringify(d.snapshot()).length);
    rows += n;
    const windows = windowRows(f.series.timestamps, f.labels, f.name);
    scored.push({ name: f.name, scores, windows });
    alertFiles.push({ name: f.name, scores: alerts, windows });
    opts.onFile?.(f.name, k, files.length);
  });
  return {
    profiles: {
      standard: optimiseThreshold(scored, NAB_PROFILES.standard),
      reward_low_FP_rate: optimiseThreshold(scored, NAB_PROFILES.reward_low_FP_rate),
      reward_low_FN_rate: optimiseThreshold(scored, NAB_PROFILES.reward_low_FN_rate),
    },
    files: scored,
    alertProfiles: {
      standard: alertColumn(alertFiles, NAB_PROFILES.standard),
      reward_low_FP_rate: alertColumn(alertFiles, NAB_PROFILES.reward_low_FP_rate),
      reward_low_FN_rate: alertColumn(alertFiles, NAB_PROFILES.reward_low_FN_rate),
    },
    alertFiles,
    rows,
    updateNanos,
    maxSnapshotBytes,
  };
}

/** A 0/1 column scored as it is (a detection where it is 1). */
function alertColumn(files: readonly NabScoredFile[], profile: NabProfile): NabRawResult & { score: number } {
  const windows = files.reduce((n, f) => n + f.windows.length, 0);
  const r = rawScoreAt(files, 0.5, profile);
  return { ...r, score: windows > 0 ? normalisedScore(r.raw, windows, profile) : 0 };
}
