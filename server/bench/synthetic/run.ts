/**
 * `npm run bench:synthetic -- [--seeds N] [--first-seed S] [--family NAME]… [--options JSON] [--json FILE]`
 *
 * What the default streaming detector (createDetector(), the settings the server uses) RAISES on
 * synthetic series with known ground truth (families.ts and suite.ts beside this file): false alerts on null
 * families, detection, delay and kind on steps, slopes and transients of 3–20σ, and the
 * calibration of the probability stated at each alert onset. Seeds 1..N (default 20: the report
 * seeds; `--first-seed 1001` runs the tuning seeds 1001..1000+N instead) per family,
 * one detector at a time. Progress goes to stderr, the tables to stdout; `--json` also writes the
 * full structured result. `--family` (repeatable, or comma-separated; a name or a prefix such as
 * `step`, `null`, `step-ar1`) runs a subset; `--options`
 * passes detector options (for tuning experiments only: the result that counts is the one without).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDetector, type CreateDetectorOptions } from '../../src/vsm/detectors/index.js';
import {
  EVALUATION,
  FAMILY_NAMES,
  SYNTHETIC,
  evaluateSyntheticSuite,
  type Reliability,
  type SyntheticSuiteResult,
} from './index.js';
import { table } from './table.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const USAGE =
  'usage: npm run bench:synthetic -- [--seeds N (default 20)] [--first-seed S (default 1; tuning: 1001)] [--family NAME]… [--options JSON] [--json FILE]';

interface Args {
  seeds: number;
  firstSeed: number;
  families: string[] | undefined;
  options: CreateDetectorOptions;
  json: string | undefined;
}

function usage(msg: string): never {
  process.stderr.write(`bench:synthetic: ${msg}\n${USAGE}\nfamilies: ${FAMILY_NAMES.join(', ')}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seeds: 20, firstSeed: 1, families: undefined, options: {}, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i]!.startsWith('--') && argv[i]!.includes('=')
        ? [argv[i]!.slice(0, argv[i]!.indexOf('=')), argv[i]!.slice(argv[i]!.indexOf('=') + 1)]
        : [argv[i]!, undefined];
    const value = (): string => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--seeds') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) usage(`--seeds must be a positive integer, got ${JSON.stringify(v)}`);
      args.seeds = n;
    } else if (flag === '--first-seed') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n)) usage(`--first-seed must be an integer, got ${JSON.stringify(v)}`);
      args.firstSeed = n;
    } else if (flag === '--family') {
      for (const name of value().split(',').filter(Boolean)) {
        // An exact name, or a prefix ending at a '-': 'step' is every step family, 'null' every null one.
        const matched = FAMILY_NAMES.filter((f) => f === name || f.startsWith(`${name}-`));
        if (matched.length === 0) usage(`unknown family ${JSON.stringify(name)}`);
        (args.families ??= []).push(...matched.filter((f) => !args.families?.includes(f)));
      }
    } else if (flag === '--options') {
      try {
        args.options = JSON.parse(value()) as CreateDetectorOptions;
      } catch (e) {
        usage(`--options is not JSON: ${(e as Error).message}`);
      }
    } else if (flag === '--json') args.json = resolve(value());
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\nfamilies: ${FAMILY_NAMES.join(', ')}\n`);
      process.exit(0);
    } else usage(`unknown argument ${JSON.stringify(argv[i])}`);
  }
  args.families?.sort((a, b) => FAMILY_NAMES.indexOf(a) - FAMILY_NAMES.indexOf(b));
  return args;
}

/**
 * The commit, whether the detectors' sources differ from it, and a hash of those sources as they
 * are now (non-test .ts files), so that a table can be traced to the code that produced it.
 */
function sourceVersion(): string {
  const dir = join(REPO_ROOT, 'server/src/vsm/detectors');
  const hash = createHash('sha256');
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))
    .sort())
    hash
      .update(f)
      .update('\0')
      .update(readFileSync(join(dir, f)))
      .update('\0');
  const sources = `detector sources sha256 ${hash.digest('hex').slice(0, 12)}`;
  try {
    const git = (...a: string[]) =>
      execFileSync('git', a, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'server/src/vsm/detectors') !== '';
    return `${sources}, commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in server/src/vsm/detectors' : ''}`;
  } catch {
    return `${sources}, commit unknown (no git)`;
  }
}

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(0)}%`);
const num = (x: number | null, d = 1) => (x === null || Number.isNaN(x) ? '—' : x.toFixed(d));

function reliabilityLines(title: string, r: Reliability): string[] {
  const rows = r.bins.map((b) => [
    `[${b.lower.toFixed(1)}, ${b.upper.toFixed(1)}${b.upper === 1 ? ']' : ')'}`,
    String(b.count),
    num(b.meanStated, 3),
    num(b.observed, 3),
  ]);
  return [
    title,
    ...table(['stated p', 'onsets', 'mean stated', 'observed'], rows),
    `Brier ${num(r.brier, 4)} over ${r.count} onsets (base rate ${num(r.baseRate, 3)}; always stating the base rate would score ${num(r.baseRate * (1 - r.baseRate), 4)})`,
  ];
}

function report(r: SyntheticSuiteResult, args: Args, source: string, seconds: number): string {
  const L: string[] = [];
  L.push(
    `synthetic suite: ${r.families.length} families × seeds ${args.firstSeed}..${args.firstSeed + r.seeds - 1}, createDetector(${JSON.stringify(args.options)}); ${source}`,
  );
  L.push(
    `onset = alert row > ${EVALUATION.onsetGap} readings after the previous alert row; nothing skipped (learning included)`,
  );
  if (r.nullFamilies.length > 0) {
    L.push('', 'NULL FAMILIES (no event: every alert is false)');
    L.push(
      ...table(
        [
          'family',
          'readings',
          'onsets/10k',
          'alert rows/10k',
          'worst seed',
          'its onsets/10k',
          'its rows/10k',
          'alert while learning',
        ],
        r.nullFamilies.map((f) => [
          f.name,
          String(f.readings),
          num(f.onsetsPer10k, 2),
          num(f.alertRowsPer10k, 2),
          String(f.worst.seed),
          num(f.worst.onsetsPer10k),
          num(f.worst.alertRowsPer10k),
          String(f.learningAlertRows),
        ]),
      ),
    );
  }
  if (r.eventFamilies.length > 0) {
    const w = EVALUATION.detectWindow;
    L.push(
      '',
      `EVENT FAMILIES (detected: an alert row within +${w.step} readings of a step or transient, +${w.slope} of a slope, +${SYNTHETIC.shiftWithin} of a shift (a ${SYNTHETIC.shiftHold}-reading step); kind: of the latest alert row within +${EVALUATION.kindLookahead} of the first; false: outside [start, end+${EVALUATION.falseMargin}], per 10k readings outside it)`,
    );
    L.push(
      'sizes in σ of the base noise (AR(1): its marginal sd, 2.29× the innovation sd); a slope of size s moves s·σ/10 per reading',
    );
    L.push(
      ...table(
        [
          'family',
          'series',
          'detected',
          'median delay',
          'kind right',
          'kinds at +3 (detected)',
          'false onsets/10k',
          'false rows/10k',
          're-alerts/event',
        ],
        r.eventFamilies.map((f) => [
          f.name,
          String(f.series),
          pct(f.detectionRate),
          num(f.medianDelay),
          pct(f.kindAccuracy),
          Object.entries(f.reportedKinds)
            .sort((a, b) => b[1]! - a[1]!)
            .map(([k, c]) => `${k} ${c}`)
            .join(', ') || '—',
          num(f.falseOnsetsPer10k, 2),
          num(f.falseAlertRowsPer10k, 2),
          num(f.extraOnsetsPerEvent, 2),
        ]),
      ),
    );
    L.push('', 'BY KIND (all bases and sizes pooled)');
    L.push(
      ...table(
        ['kind', 'series', 'detected', 'median delay', 'kind right'],
        r.eventKinds.map((k) => [
          k.kind,
          String(k.series),
          pct(k.detectionRate),
          num(k.medianDelay),
          pct(k.kindAccuracy),
        ]),
      ),
    );
  }
  L.push(
    '',
    ...reliabilityLines(
      'CALIBRATION: probability at each onset vs "this onset detected an event"',
      r.calibration.detection,
    ),
  );
  L.push(
    '',
    ...reliabilityLines(
      'CALIBRATION: probability at the onset\'s kind row (+3) vs "detected, with the right kind"',
      r.calibration.kind,
    ),
  );
  const nullOnsets = r.nullFamilies.reduce((a, f) => a + f.onsets, 0);
  L.push(
    `(${nullOnsets} of the ${r.calibration.detection.count} onsets are on null families: the base rate, and so each bin's observed frequency, follows the suite's mix of null and event series, not any real deployment's)`,
  );
  L.push(
    '',
    `speed: ${r.microsPerReading.toFixed(2)} µs per reading (update loop, ${r.readings} readings); ${seconds.toFixed(1)} s in all`,
  );
  return L.join('\n') + '\n';
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const source = sourceVersion(); // now, close to when the detector's modules were loaded
  const started = Date.now();
  let lastFamily = '';
  const result = evaluateSyntheticSuite(() => createDetector(args.options), {
    seeds: args.seeds,
    firstSeed: args.firstSeed,
    families: args.families,
    onSeries: (family, _seed, k, total) => {
      if (family !== lastFamily) process.stderr.write(`  [${k + 1}/${total}] ${family}\n`);
      lastFamily = family;
    },
  });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(report(result, args, source, seconds));
  if (args.json) {
    writeFileSync(args.json, JSON.stringify({ options: args.options, source, ...result }, null, 1) + '\n');
    process.stderr.write(`bench:synthetic: wrote ${args.json}\n`);
  }
}

main();
