/**
 * `npm run bench:neighbours -- [--set probe|held-out|all] [--seeds N]`
 *
 * False alerts of the default detector (createDetector(), the server's settings) on null families beyond the synthetic
 * suite: other tails, counts, correlations and cadences (neighbours.ts). `--set held-out` (the default) is the set no
 * setting was chosen on, the figure to quote; `probe` the set looked at while the detector changed. Seeds 1..N (default
 * 10) of 10,000 readings per family. Progress to stderr, the table to stdout; exit 0 whatever the figures.
 */
import { createDetector } from '../../src/vsm/detectors/index.js';
import { NEIGHBOUR_SETS, evaluateNeighbours, type NeighbourSet } from './neighbours.js';
import { table } from './table.js';

const USAGE =
  'usage: npm run bench:neighbours -- [--set probe|held-out|all (default held-out)] [--seeds N (default 10)]';
const BUDGET = 0.5;

function usage(msg: string): never {
  process.stderr.write(`bench:neighbours: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { set: NeighbourSet | 'all'; seeds: number } {
  const args: { set: NeighbourSet | 'all'; seeds: number } = { set: 'held-out', seeds: 10 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.includes('=') ? argv[i]!.split('=', 2) : [argv[i]!, undefined];
    const value = (): string => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--set') {
      const v = value();
      if (v !== 'all' && !NEIGHBOUR_SETS.includes(v as NeighbourSet))
        usage(`--set must be one of ${[...NEIGHBOUR_SETS, 'all'].join(', ')}, got ${JSON.stringify(v)}`);
      args.set = v as NeighbourSet | 'all';
    } else if (flag === '--seeds') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) usage(`--seeds must be a positive integer, got ${JSON.stringify(v)}`);
      args.seeds = n;
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else usage(`unknown argument ${JSON.stringify(argv[i])}`);
  }
  return args;
}

function cadence(ms: number): string {
  if (ms === 0) return 'irregular';
  if (ms < 60_000) return `${ms / 1000} s`;
  if (ms < 3_600_000) return `${ms / 60_000} min`;
  if (ms < 86_400_000) return `${ms / 3_600_000} h`;
  return `${ms / 86_400_000} d`;
}

const args = parseArgs(process.argv.slice(2));
const started = performance.now();
const rows = evaluateNeighbours(() => createDetector(), args.set, {
  seeds: args.seeds,
  onFamily: (name) => process.stderr.write(`  ${name}\n`),
});
const lines = [
  `NULL FAMILIES BEYOND THE SUITE (set ${args.set}; ${args.seeds} seeds of 10,000 readings each; alert onsets per 10k, budget ${BUDGET})`,
  ...table(
    ['family', 'set', 'cadence', 'onsets/10k', 'alert rows/10k', 'alert while learning', ''],
    rows.map((r) => [
      r.name,
      r.set,
      cadence(r.stepMs),
      r.onsetsPer10k.toFixed(2),
      r.alertRowsPer10k.toFixed(2),
      String(r.learningAlertRows),
      r.onsetsPer10k > BUDGET ? 'over budget' : '',
    ]),
    2,
  ),
  `${rows.filter((r) => r.onsetsPer10k <= BUDGET).length} of ${rows.length} families within the budget; ${((performance.now() - started) / 1000).toFixed(1)} s`,
];
process.stdout.write(`${lines.join('\n')}\n`);
