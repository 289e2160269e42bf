import { describe, expect, it } from '@jest/globals';
import type { IndicatorUpdate, Model, NodeReading } from '@opsroom/models';
import type { StreamingDetector } from './detectors/detector.js';
import { LiveModel } from './live-model.js';
import {
  RULE_INDICATORS,
  deviceOf,
  leavesUnder,
  mulberry32,
  randomInt,
  randomModel,
  referenceRollup,
} from '../../test/support/rollup-random-tree.js';

// Property tests of the live roll-up over generated organisations: random depths 1–6, fan-outs
// 1–6, random readings. Each case is a fixed seed, so a failure names the seed that reproduces it.

const SEEDS = Array.from({ length: 120 }, (_, i) => 1000 + i * 7919);
const PERIOD = 60_000;
const T0 = 1_700_000_000_000;

const quietDetector = (): StreamingDetector => ({
  update: () => ({ score: 0, kind: 'none', probability: 1, forecast: null, alert: false, learning: false }),
  snapshot: () => ({ type: 'quiet', version: 1 }),
});

/** Equal up to floating-point rounding (sums taken in another order differ in the last bits). */
function close(actual: number | null, expected: number | null): boolean {
  if (actual === null || expected === null) return actual === expected;
  return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(actual), Math.abs(expected));
}

interface Case {
  seed: number;
  model: Model;
  live: LiveModel;
  clock: { t: number };
  /** Leaf path -> indicator id -> the value it sent last. */
  sent: Map<string, Map<string, number>>;
  send(leaves: readonly string[], ts: number): void;
  rand: () => number;
}

function makeCase(seed: number): Case {
  const rand = mulberry32(seed);
  const model = randomModel(rand);
  const clock = { t: T0 };
  const live = new LiveModel(model, {
    rollupPeriodMs: PERIOD,
    now: () => clock.t,
    createDetector: quietDetector,
    onDetection: () => {},
  });
  const sent = new Map<string, Map<string, number>>();
  const send = (leaves: readonly string[], ts: number) => {
    const readings: NodeReading[] = [];
    for (const leaf of leaves) {
      const mine = new Map<string, number>();
      for (const ind of RULE_INDICATORS) {
        const value = Math.round((rand() * 2000 - 500) * 1000) / 1000;
        mine.set(ind.id, value);
        readings.push({ node: leaf, deviceId: deviceOf(leaf), metric: ind.id, value, ts });
      }
      sent.set(leaf, mine);
    }
    live.ingest(readings);
  };
  return { seed, model, live, clock, sent, send, rand };
}

const leafPaths = (m: Model) => [...m.nodes.values()].filter((n) => n.children.length === 0).map((n) => n.path);
const index = (updates: readonly IndicatorUpdate[]) =>
  new Map(updates.map((u) => [`${u.node}\u0000${u.indicator}`, u]));

/**
 * Where the updates differ from the reference roll-up, one line per difference naming the seed,
 * node and rule (jest matchers per node would be slow: a few hundred thousand checks run here).
 */
function differencesFromReference(c: Case, updates: readonly IndicatorUpdate[], fresh: ReadonlySet<string>): string[] {
  const got = index(updates);
  const out: string[] = [];
  for (const ind of RULE_INDICATORS) {
    const ref = referenceRollup(c.model, ind.rollup, ind.weight, (leaf) =>
      fresh.has(leaf) ? c.sent.get(leaf)!.get(ind.id)! : null,
    );
    for (const [path, want] of ref) {
      const u = got.get(`${path}\u0000${ind.id}`);
      if (!u) out.push(`seed ${c.seed} ${path} ${ind.rollup}: no update`);
      else if (!close(u.value, want.value) || u.stale !== (want.value === null) || u.missingChildren !== want.missing)
        out.push(
          `seed ${c.seed} ${path} ${ind.rollup}: got ${u.value} stale=${u.stale} missing=${u.missingChildren}, want ${want.value} missing=${want.missing}`,
        );
    }
  }
  return out;
}

describe('the live roll-up on generated trees', () => {
  it('generates trees covering every depth and fan-out from 1 to 6', () => {
    const depths = new Set<number>();
    const fanOuts = new Set<number>();
    for (const seed of SEEDS) {
      const m = randomModel(mulberry32(seed));
      depths.add(Math.max(...[...m.nodes.values()].map((n) => n.depth)));
      for (const n of m.nodes.values()) if (n.children.length) fanOuts.add(n.children.length);
    }
    expect([...depths].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...fanOuts].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('gives the root the sum, minimum and maximum of all the leaves', () => {
    const diffs: string[] = [];
    for (const seed of SEEDS) {
      const c = makeCase(seed);
      const leaves = leafPaths(c.model);
      c.send(leaves, T0);
      const got = index(c.live.flush());
      const all = (id: string) => leaves.map((l) => c.sent.get(l)!.get(id)!);
      const root = (id: string) => got.get(`${c.model.root}\u0000${id}`)!;
      const sum = all('total').reduce((s, x) => s + x, 0);
      if (!close(root('total').value, sum))
        diffs.push(`seed ${seed}: root sum ${root('total').value}, leaves sum ${sum}`);
      if (root('low').value !== Math.min(...all('low'))) diffs.push(`seed ${seed}: root min ${root('low').value}`);
      if (root('high').value !== Math.max(...all('high'))) diffs.push(`seed ${seed}: root max ${root('high').value}`);
      if (root('total').stale || root('total').missingChildren !== 0)
        diffs.push(`seed ${seed}: root stale or missing children`);
    }
    expect(diffs).toEqual([]);
  });

  it('gives every parent the mean, weighted mean, sum, min and max of its own children', () => {
    const diffs: string[] = [];
    let checked = 0;
    for (const seed of SEEDS) {
      const c = makeCase(seed);
      c.send(leafPaths(c.model), T0);
      const got = index(c.live.flush());
      for (const node of c.model.nodes.values()) {
        if (node.children.length === 0) continue;
        for (const ind of RULE_INDICATORS) {
          const kids = node.children.map((p) => ({
            v: got.get(`${p}\u0000${ind.id}`)!.value!,
            w: c.model.nodes.get(p)!.weights['members']!,
          }));
          const xs = kids.map((k) => k.v);
          const direct = {
            sum: xs.reduce((s, x) => s + x, 0),
            mean: xs.reduce((s, x) => s + x, 0) / xs.length,
            weighted_mean: kids.reduce((s, k) => s + k.v * k.w, 0) / kids.reduce((s, k) => s + k.w, 0),
            min: Math.min(...xs),
            max: Math.max(...xs),
          }[ind.rollup];
          const value = got.get(`${node.path}\u0000${ind.id}`)!.value;
          checked++;
          if (!close(value, direct))
            diffs.push(`seed ${seed} ${node.path} ${ind.rollup}: got ${value}, direct ${direct}`);
        }
      }
    }
    expect(diffs).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });

  it('matches a reference roll-up written independently of LiveModel, at every node', () => {
    const diffs: string[] = [];
    for (const seed of SEEDS) {
      const c = makeCase(seed);
      const leaves = leafPaths(c.model);
      c.send(leaves, T0);
      diffs.push(...differencesFromReference(c, c.live.flush(), new Set(leaves)));
    }
    expect(diffs).toEqual([]);
  });

  it('marks leaves silent for a period stale; ancestors count them missing and never show a silent zero', () => {
    const diffs: string[] = [];
    const shares = new Set<number>();
    for (const seed of SEEDS) {
      const c = makeCase(seed);
      const leaves = leafPaths(c.model);
      c.send(leaves, T0);
      c.live.flush();
      // A random part of the leaves (none, some, most or all) goes silent for a period.
      const share = [0, 0.3, 0.7, 1][randomInt(c.rand, 0, 3)]!;
      shares.add(share);
      const fresh = new Set(leaves.filter(() => c.rand() >= share));
      c.clock.t = T0 + PERIOD + 1;
      c.send([...fresh], c.clock.t);
      const updates = c.live.periodTick();
      // The reference counts missing children and gives null (never 0) where nothing is fresh.
      diffs.push(...differencesFromReference(c, updates, fresh));
      const got = index(updates);
      // Said plainly: a node is stale, with a null value, exactly when every leaf under it went silent.
      for (const node of c.model.nodes.values()) {
        const silent = leavesUnder(c.model, node.path).every((l) => !fresh.has(l));
        for (const ind of RULE_INDICATORS) {
          const u = got.get(`${node.path}\u0000${ind.id}`)!;
          if (u.stale !== silent || (u.value === null) !== silent)
            diffs.push(`seed ${seed} ${node.path} ${ind.id}: stale=${u.stale} value=${u.value}, silent=${silent}`);
        }
        const missing = node.children.filter((ch) => leavesUnder(c.model, ch).every((l) => !fresh.has(l))).length;
        if (got.get(`${node.path}\u0000total`)!.missingChildren !== missing)
          diffs.push(`seed ${seed} ${node.path}: missingChildren should be ${missing}`);
      }
      const rootSum = got.get(`${c.model.root}\u0000total`)!.value;
      const freshSum = [...fresh].reduce((s, l) => s + c.sent.get(l)!.get('total')!, 0);
      if (fresh.size === 0 ? rootSum !== null : !close(rootSum, freshSum))
        diffs.push(`seed ${seed}: root sum ${rootSum}, fresh leaves sum ${freshSum}`);
    }
    expect(diffs).toEqual([]);
    expect([...shares].sort()).toEqual([0, 0.3, 0.7, 1]);
  });

  it('counts a leaf again as soon as it reports after a silence', () => {
    const diffs: string[] = [];
    for (const seed of SEEDS.slice(0, 40)) {
      const c = makeCase(seed);
      const leaves = leafPaths(c.model);
      c.send(leaves, T0);
      c.live.flush();
      c.clock.t = T0 + PERIOD + 1;
      const allStale = c.live.periodTick().every((u) => u.stale && u.value === null);
      if (!allStale) diffs.push(`seed ${seed}: not everything went stale after a silent period`);
      c.send(leaves, c.clock.t);
      diffs.push(...differencesFromReference(c, c.live.flush(), new Set(leaves)));
    }
    expect(diffs).toEqual([]);
  });
});
