/**
 * `npm run bench:loco -- [--data DIR] [--seeds N] [--json FILE]`: the honest tuning protocol for the
 * detector's alert decision (issue 14, point 2), printed as the folds that the detector README reports.
 *
 * For every setting in GRID (the alert decision's few knobs; everything else at its default):
 *   - the NAB alert column (what the server raises, `DetectorOutput.alert`) is scored per category
 *     with NAB's rules (a binary column: the threshold is simply "alert");
 *   - the synthetic families (server/bench/synthetic) are run on TUNING seeds 1001… (the reported
 *     synthetic figures, `npm run bench:synthetic`, use seeds 1…20): a setting is admissible only if
 *     every null family raises at most 0.5 alerts per 10,000 readings and every 10σ step and
 *     transient is alerted, on 100 seeds (issue 14, points 4 and 5), and the probability stated at the
 *     onsets of every family scores a Brier at most 10 % above always stating their base rate (point 3).
 * Leave one category out: for each NAB category, the admissible setting with the best mean standard
 * score on the three others is chosen and scored on the one left out (artificialNoAnomaly has no
 * windows: its fold reports the false alerts). A category's training score is the mean of two: its whole files, and
 * its windows each in a short segment that a fresh detector starts SHORT_HISTORY readings before (NAB's held-out
 * categories hold files of 1,100–2,500 rows, this subset's are 4,000–22,700: a detector must also work young).
 * The held-out fold is reported on whole files (comparable with the published figures), its segments beside. The mean over the folds with windows is the figure
 * to quote. The shipped default is the setting chosen on all four categories (printed last) — its
 * score on all of NAB is a tuning figure, not an evaluation.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDetector, CYBERSTRIDE_DEFAULTS, type CyberstrideOptions } from '../../src/vsm/detectors/index.js';
import { parseNabCsv } from './csv.js';
import { windowSegment } from './evaluate.js';
import { NAB_PROFILES, normalisedScore, rawScoreAt, type NabScoredFile } from './scorer.js';
import { windowRows, type NabLabels } from './windows.js';
import { evaluateSyntheticSuite, FAMILY_NAMES } from '../synthetic/index.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The alert decision's knobs; every combination is tried. */
const GRID: Record<string, readonly number[]> = {
  zGross: [5.75, 6.25],
  grossTailMult: [1.1, 1.2],
  youth: [5, 10],
  // The record path (a record whose probability under the tail fitted to the series' own extremes is below tailP):
  // off (0), or at one of three levels, the more cautious first: a tie on the training categories goes to the setting
  // earlier in the grid. (1e-5 was in the first grid with this path: on the tuning seeds it put Student t3 at 1.1–1.25
  // false alerts per 10k, never admissible.)
  tailP: [0, 1e-7, 3e-7, 1e-6],
  // The seasonal path (a reading far from its time of day's usual value, beyond the series' own such distances): on at
  // the multiplier chosen on the synthetic tuning seeds alone (2: the least of 1, 1.5, 2, 2.5, 3 under which no null
  // family raised more than without the path), or off.
  seasonMult: [2, 0],
  // zCandidate (3.5) and confirmSigmas (3) left the grid when tailP came in, and extremeWithin (the persistent-extreme
  // path: 3, on) when seasonMult did (the grid stays at 64 settings): every fold of the runs before chose those values
  // (over 4, 3.5 and 0, off).
};

/**
 * A setting's onset Brier on the tuning seeds may be at most this multiple of always stating their base rate: the
 * shipped setting sits within 1 % of it either way depending on the seeds (20 tuning seeds: 0.0952 against 0.0944; 40:
 * 0.1037 against 0.1059), so a strict ≤ judges noise; 10 % above is a probability that says materially less than nothing.
 */
const BRIER_SLACK = 1.1;

/**
 * Readings a fresh detector sees before each window in the short segments (and after it, at most): a 1,600-row file's
 * NAB probation is 240 rows, so a window in such a file comes after about this much history or more.
 */
const SHORT_HISTORY = 250;

/** Tuning seeds for the 10σ step and transient families (they are cheap, and a miss is rare). */
const TEN_SIGMA_SEEDS = 100;

const PROFILES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
type Profile = (typeof PROFILES)[number];

interface Args {
  data: string;
  seeds: number;
  json?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { data: resolve(REPO_ROOT, '../shared/nab'), seeds: 20 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    if (k === '--data') a.data = resolve(argv[++i] ?? '');
    else if (k === '--seeds') a.seeds = Number(argv[++i]);
    else if (k === '--json') a.json = argv[++i];
    else if (k === '--help' || k === '-h') {
      process.stdout.write(
        'usage: npm run bench:loco -- [--data NAB_DIR] [--seeds N (synthetic tuning seeds, default 20)] [--json FILE]\n',
      );
      process.exit(0);
    } else {
      process.stderr.write(`bench:loco: unknown argument ${JSON.stringify(k)}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(a.seeds) || a.seeds < 1) {
    process.stderr.write('bench:loco: --seeds needs a positive integer\n');
    process.exit(2);
  }
  return a;
}

interface NabFile {
  category: string;
  name: string;
  values: number[];
  times: number[];
  windows: NabScoredFile['windows'];
}

function loadNab(dir: string): NabFile[] {
  const labels = JSON.parse(readFileSync(join(dir, 'labels', 'combined_windows.json'), 'utf8')) as NabLabels;
  const out: NabFile[] = [];
  for (const category of readdirSync(join(dir, 'data')).sort()) {
    for (const file of readdirSync(join(dir, 'data', category)).sort()) {
      if (!file.endsWith('.csv')) continue;
      const name = `${category}/${file}`;
      const s = parseNabCsv(readFileSync(join(dir, 'data', name), 'utf8'), name);
      out.push({
        category,
        name,
        values: s.values,
        times: s.times,
        windows: windowRows(s.timestamps, labels[name] ?? [], name),
      });
    }
  }
  return out;
}

function combos(grid: Record<string, readonly number[]>): CyberstrideOptions[] {
  let out: Record<string, number>[] = [{}];
  for (const [k, values] of Object.entries(grid)) out = out.flatMap((o) => values.map((v) => ({ ...o, [k]: v })));
  return out as CyberstrideOptions[];
}

interface Evaluated {
  options: CyberstrideOptions;
  /** Alert column per NAB file. */
  files: Array<NabScoredFile & { category: string }>;
  /** Alert column per short segment (one per window, a fresh detector from SHORT_HISTORY readings before it). */
  segments: Array<NabScoredFile & { category: string }>;
  admissible: boolean;
  worstNull: { family: string; onsetsPer10k: number };
  tenSigma: number;
  /** The onset's Brier score on the tuning seeds, and what always stating their base rate scores. */
  onsetBrier: { brier: number; baseRateBrier: number };
}

function evaluate(options: CyberstrideOptions, nab: NabFile[], seeds: number): Evaluated {
  const files = nab.map((f) => {
    const d = createDetector(options);
    const scores = new Float64Array(f.values.length);
    for (let i = 0; i < scores.length; i++) scores[i] = d.update(f.values[i]!, f.times[i]!).alert ? 1 : 0;
    return { category: f.category, name: f.name, scores, windows: f.windows };
  });
  const segments = nab.flatMap((f) =>
    f.windows.map((w) => {
      // Every window that overlaps the segment, clipped to it (NAB's probation: 15 % of the segment).
      const { from, to, windows } = windowSegment(f.values.length, f.windows, w, SHORT_HISTORY);
      const d = createDetector(options);
      const scores = new Float64Array(to - from);
      for (let i = from; i < to; i++) scores[i - from] = d.update(f.values[i]!, f.times[i]!).alert ? 1 : 0;
      d.dispose?.();
      return { category: f.category, name: `${f.name}@${w.start}`, scores, windows };
    }),
  );
  // Every family (null and event) on the tuning seeds: the null families' false alerts, and the onset's calibration.
  const syn = evaluateSyntheticSuite(() => createDetector(options), { seeds, firstSeed: 1001 });
  const worst = syn.nullFamilies.reduce((a, b) => (b.onsetsPer10k > a.onsetsPer10k ? b : a));
  const cal = syn.calibration.detection;
  const onsetBrier = { brier: cal.brier, baseRateBrier: cal.baseRate * (1 - cal.baseRate) };
  // "Every seed" is a strong claim: the 10σ events run on TEN_SIGMA_SEEDS tuning seeds (a miss is rare); the first
  // `seeds` of them ran above, so only the rest run here, and each family's rate is over all of them.
  const tens = FAMILY_NAMES.filter((n) => /^(step|transient)-.*-10$/.test(n));
  const rest = TEN_SIGMA_SEEDS - seeds;
  const more =
    rest > 0
      ? evaluateSyntheticSuite(() => createDetector(options), { seeds: rest, firstSeed: 1001 + seeds, families: tens })
          .eventFamilies
      : [];
  const tenSigma = Math.min(
    ...tens.map((name) => {
      const runs = [...syn.eventFamilies, ...more].filter((f) => f.name === name);
      return runs.reduce((a, f) => a + f.detected, 0) / runs.reduce((a, f) => a + f.series, 0);
    }),
  );
  return {
    options,
    files,
    segments,
    // Issue 14 points 4 and 5, and point 3: the onset's stated probability no worse than always stating the base rate
    // by more than BRIER_SLACK.
    admissible:
      worst.onsetsPer10k <= 0.5 && tenSigma === 1 && onsetBrier.brier <= BRIER_SLACK * onsetBrier.baseRateBrier,
    worstNull: { family: worst.name, onsetsPer10k: worst.onsetsPer10k },
    tenSigma,
    onsetBrier,
  };
}

function score(
  files: NabScoredFile[],
  profile: Profile,
): { score: number | null; raw: number; tp: number; fp: number; fn: number } {
  const prof = NAB_PROFILES[profile];
  const windows = files.reduce((n, f) => n + f.windows.length, 0);
  const r = rawScoreAt(files, 0.5, prof);
  return {
    score: windows > 0 ? normalisedScore(r.raw, windows, prof) : null,
    raw: r.raw,
    tp: r.truePositives,
    fp: r.falsePositives,
    fn: r.falseNegatives,
  };
}

const fmt = (x: number | null) => (x === null ? '   n/a' : x.toFixed(1).padStart(6));
const optText = (o: CyberstrideOptions) => JSON.stringify(o);

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const nab = loadNab(args.data);
  const categories = [...new Set(nab.map((f) => f.category))];
  const grid = combos(GRID);
  process.stderr.write(
    `bench:loco: ${grid.length} settings × (${nab.length} NAB files + synthetic tuning seeds 1001…${1000 + args.seeds})\n`,
  );
  const evaluated = grid.map((o, k) => {
    const e = evaluate(o, nab, args.seeds);
    process.stderr.write(
      `  [${k + 1}/${grid.length}] ${optText(o)}: worst null ${e.worstNull.family} ${e.worstNull.onsetsPer10k.toFixed(2)}/10k, 10σ ${(100 * e.tenSigma).toFixed(0)} %, onset Brier ${e.onsetBrier.brier.toFixed(4)} (stating the base rate ${e.onsetBrier.baseRateBrier.toFixed(4)}), NAB standard ${fmt(score(e.files, 'standard').score)}${e.admissible ? '' : '  (not admissible)'}\n`,
    );
    return e;
  });
  const admissible = evaluated.filter((e) => e.admissible);
  if (admissible.length === 0) {
    process.stdout.write('No setting in the grid meets the synthetic constraints; widen GRID.\n');
    process.exit(1);
  }
  /** Mean standard score over the categories with windows among `cats` (each the mean of whole files and segments). */
  const trainScore = (e: Evaluated, cats: string[]) => {
    const xs = cats
      .map((c) => {
        const whole = score(
          e.files.filter((f) => f.category === c),
          'standard',
        );
        const young = score(
          e.segments.filter((f) => f.category === c),
          'standard',
        );
        return whole.score === null || young.score === null
          ? whole
          : { ...whole, score: (whole.score + young.score) / 2 };
      })
      .filter((r) => r.score !== null);
    // A category without windows counts by its false-positive raw score (its only term).
    const noWin = cats
      .map((c) =>
        score(
          e.files.filter((f) => f.category === c),
          'standard',
        ),
      )
      .filter((r) => r.score === null);
    return xs.reduce((a, r) => a + r.score!, 0) / Math.max(1, xs.length) + noWin.reduce((a, r) => a + r.raw, 0);
  };
  const best = (cats: string[]) => admissible.reduce((a, b) => (trainScore(b, cats) > trainScore(a, cats) ? b : a));

  const lines: string[] = [];
  lines.push(
    `Leave one NAB category out, alert column (what the server raises); ${admissible.length} of ${grid.length} settings admissible on the synthetic tuning seeds`,
  );
  lines.push('');
  lines.push(
    `held-out category          standard  low_FP  low_FN    TP  FP  FN   segments (${SHORT_HISTORY} before)   setting chosen on the other three`,
  );
  const folds: Array<Record<Profile, number | null>> = [];
  const segFolds: Array<number | null> = [];
  const json: unknown[] = [];
  for (const held of categories) {
    const chosen = best(categories.filter((c) => c !== held));
    const heldFiles = chosen.files.filter((f) => f.category === held);
    const r = Object.fromEntries(PROFILES.map((p) => [p, score(heldFiles, p)])) as Record<
      Profile,
      ReturnType<typeof score>
    >;
    folds.push(Object.fromEntries(PROFILES.map((p) => [p, r[p].score])) as Record<Profile, number | null>);
    const seg = score(
      chosen.segments.filter((f) => f.category === held),
      'standard',
    );
    segFolds.push(seg.score);
    lines.push(
      `${held.padEnd(26)} ${fmt(r.standard.score)}  ${fmt(r.reward_low_FP_rate.score)}  ${fmt(r.reward_low_FN_rate.score)}  ${String(r.standard.tp).padStart(4)} ${String(r.standard.fp).padStart(3)} ${String(r.standard.fn).padStart(3)}   ${fmt(seg.score)} (${seg.tp} TP ${seg.fn} FN)    ${optText(chosen.options)}`,
    );
    json.push({ heldOut: held, options: chosen.options, scores: r, segments: seg });
  }
  const withWindows = folds.filter((f) => f.standard !== null);
  const mean = (p: Profile) => withWindows.reduce((a, f) => a + f[p]!, 0) / withWindows.length;
  const segs = segFolds.filter((x): x is number => x !== null);
  lines.push(
    `${'mean of the folds with windows'.padEnd(26)} ${fmt(mean('standard'))}  ${fmt(mean('reward_low_FP_rate'))}  ${fmt(mean('reward_low_FN_rate'))}                 ${fmt(segs.reduce((a, x) => a + x, 0) / segs.length)}`,
  );
  const final = best(categories);
  lines.push('');
  const shipped = Object.entries(final.options).every(
    ([k, v]) => CYBERSTRIDE_DEFAULTS[k as keyof typeof CYBERSTRIDE_DEFAULTS] === v,
  );
  lines.push(
    `chosen on all four categories: ${optText(final.options)} — ${shipped ? 'the shipped default' : 'NOT the shipped default (the detector README says why)'}`,
  );
  lines.push(
    `  on all of NAB (a tuning figure, not an evaluation): standard ${fmt(score(final.files, 'standard').score)} whole files, ${fmt(score(final.segments, 'standard').score)} segments; worst synthetic null ${final.worstNull.family} ${final.worstNull.onsetsPer10k.toFixed(2)}/10k on the tuning seeds`,
  );
  lines.push(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
  process.stdout.write(lines.join('\n') + '\n');
  if (args.json) writeFileSync(args.json, JSON.stringify({ folds: json, final: final.options }, null, 2));
}

main();
