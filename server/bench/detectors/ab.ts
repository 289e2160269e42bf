/**
 * Paired timing of two checkouts' default detectors in one process, interleaved run by run, so the
 * machine's drift (this machine's speed moves by 2× within a day) falls on both alike:
 *
 *   npx tsx server/bench/detectors/ab.ts BEFORE_DIR AFTER_DIR [rounds]
 *
 * Each DIR is a checkout's root (e.g. `git worktree add /tmp/before HEAD~1`, with node_modules linked
 * or installed). Prints the minimum and median µs per reading of each and AFTER/BEFORE.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { syntheticSeries } from './bench.js';

interface DetectorModule {
  createDetector(): { update(value: number, ts: number): { score: number } };
}

const [before, after, roundsArg] = process.argv.slice(2);
if (!before || !after) {
  process.stderr.write('usage: npx tsx server/bench/detectors/ab.ts BEFORE_DIR AFTER_DIR [rounds]\n');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 12);
const load = async (dir: string): Promise<DetectorModule> =>
  (await import(pathToFileURL(resolve(dir, 'server/src/vsm/detectors/restore.ts')).href)) as DetectorModule;
const A = await load(before);
const B = await load(after);
const n = 300_000;
const ys = syntheticSeries(n);

function run(mod: DetectorModule): number {
  const d = mod.createDetector();
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let t = 0; t < n; t++) sink += d.update(ys[t]!, t).score;
  if (Number.isNaN(sink)) throw new Error('a score was NaN');
  return Number(process.hrtime.bigint() - t0) / 1000 / n;
}

const ra: number[] = [];
const rb: number[] = [];
for (let r = 0; r < rounds; r++) {
  // Alternate which goes first, so neither always runs on the warmer or the busier half.
  if (r % 2 === 0) {
    ra.push(run(A));
    rb.push(run(B));
  } else {
    rb.push(run(B));
    ra.push(run(A));
  }
}
const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1]!;
const f = (x: number): string => x.toFixed(3);
console.log(`before: min ${f(Math.min(...ra))} median ${f(median(ra))} µs per reading (${before})`);
console.log(`after:  min ${f(Math.min(...rb))} median ${f(median(rb))} µs per reading (${after})`);
console.log(`after/before: median ${f(median(rb) / median(ra))}, min ${f(Math.min(...rb) / Math.min(...ra))}`);
