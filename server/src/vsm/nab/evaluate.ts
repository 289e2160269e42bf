/**
 * Running a streaming detector over a NAB corpus and scoring it under every profile.
 * Pure apart from the detector factory: reading files is the caller's job (see server/bench/nab/run.ts).
 *
 * @example
 *   const files = [{ name: 'a.csv', series: parseNabCsv(text), labels: [['2014-…', '2014-…']] }];
 *   const r = evaluateDetector(files, () => createDetector());
 *   r.profiles.standard.score   // 0..100
 */
import type { StreamingDetector } from '../detectors/detector.js';
import type { NabSeries } from './csv.js';
import { NAB_PROFILES, optimiseThreshold, type NabProfileResult, type NabScoredFile } from './scorer.js';
import { windowRows } from './windows.js';

export interface NabInputFile {
  /** Path relative to the corpus's data/ folder, as in the labels file. */
  name: string;
  series: NabSeries;
  labels: ReadonlyArray<readonly [string, string]>;
}

export interface NabEvaluation {
  profiles: Record<keyof typeof NAB_PROFILES, NabProfileResult>;
  files: NabScoredFile[];
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

export function evaluateDetector(files: readonly NabInputFile[], create: () => StreamingDetector, opts: EvaluateOptions = {}): NabEvaluation {
  const scored: NabScoredFile[] = [];
  let rows = 0;
  let updateNanos = 0;
  let maxSnapshotBytes = 0;
  files.forEach((f, k) => {
    const d = create();
    const n = f.series.values.length;
    const scores = new Float64Array(n);
    const half = n >> 1;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < half; i++) scores[i] = d.update(f.series.values[i]!, f.series.times[i]!).score;
    updateNanos += Number(process.hrtime.bigint() - t0);
    maxSnapshotBytes = Math.max(maxSnapshotBytes, JSON.stringify(d.snapshot()).length);
    const t1 = process.hrtime.bigint();
    for (let i = half; i < n; i++) scores[i] = d.update(f.series.values[i]!, f.series.times[i]!).score;
    updateNanos += Number(process.hrtime.bigint() - t1);
    maxSnapshotBytes = Math.max(maxSnapshotBytes, JSON.stringify(d.snapshot()).length);
    rows += n;
    scored.push({ name: f.name, scores, windows: windowRows(f.series.timestamps, f.labels, f.name) });
    opts.onFile?.(f.name, k, files.length);
  });
  return {
    profiles: {
      standard: optimiseThreshold(scored, NAB_PROFILES.standard),
      reward_low_FP_rate: optimiseThreshold(scored, NAB_PROFILES.reward_low_FP_rate),
      reward_low_FN_rate: optimiseThreshold(scored, NAB_PROFILES.reward_low_FN_rate),
    },
    files: scored,
    rows,
    updateNanos,
    maxSnapshotBytes,
  };
}
