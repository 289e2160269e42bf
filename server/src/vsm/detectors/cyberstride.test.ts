import { describe, expect, it } from '@jest/globals';
import {
  describeDetectorContract,
  firstDifference,
  mixedSeries,
  outputProblem,
  problemsOver,
} from '../../../test/support/detector-contract.js';
import {
  CYBERSTRIDE_DEFAULTS,
  CyberstrideDetector,
  cyberstrideModel,
  cyberstrideSlotBytes,
  normalCdf,
} from './cyberstride.js';
import { V1_AFTER, V1_SNAPSHOT } from '../../../test/support/cyberstride-v1.fixture.js';
import { V2_SNAPSHOT } from '../../../test/support/cyberstride-v2.fixture.js';
import { V3_SNAPSHOT } from '../../../test/support/cyberstride-v3.fixture.js';
import { V4_SNAPSHOT } from '../../../test/support/cyberstride-v4.fixture.js';
import { V5_SNAPSHOT } from '../../../test/support/cyberstride-v5.fixture.js';
import { V6_SNAPSHOT } from '../../../test/support/cyberstride-v6.fixture.js';
import { V7_SNAPSHOT } from '../../../test/support/cyberstride-v7.fixture.js';
import { V8_SNAPSHOT } from '../../../test/support/cyberstride-v8.fixture.js';
import { restoreDetector } from './restore.js';
import { seededRandom } from '../../../bench/synthetic/seeded-random.js';
import type { DetectorOutput } from './detector.js';

describeDetectorContract('CyberstrideDetector', () => new CyberstrideDetector(), restoreDetector);

const FIRE = CYBERSTRIDE_DEFAULTS.fireAt;

/** The server's end-to-end scenario: `before` readings of 100 ± 2 (uniform), then level + step, one a second. */
function stepRun(seed: number, step: number, before = 200, after = 40): DetectorOutput[] {
  const rnd = seededRandom(seed);
  const d = new CyberstrideDetector();
  const out: DetectorOutput[] = [];
  for (let i = 0; i < before + after; i++)
    out.push(d.update((i < before ? 100 : 100 + step) + (rnd.uniform() - 0.5) * 4, 1_700_000_000_000 + i * 1000));
  return out;
}

describe('CyberstrideDetector alerts', () => {
  it('alerts on the reading of a clean step of 15 noise sigmas and, three readings later, says it is a step', () => {
    const sigma = 4 / Math.sqrt(12);
    for (const seed of [1, 2, 3, 4, 5, 42]) {
      for (const step of [15 * sigma, 60, -60]) {
        const out = stepRun(seed, step).slice(200);
        expect({ seed, step, first: out.findIndex((o) => o.alert) }).toEqual({ seed, step, first: 0 });
        expect({ seed, step, kind: out[0]!.kind }).toEqual({ seed, step, kind: 'change' });
        expect({ seed, step, at3: out[3]!.alert, kind: out[3]!.kind }).toEqual({ seed, step, at3: true, kind: 'step' });
        expect(out[3]!.probability).toBeGreaterThan(0.9);
      }
    }
  });

  it('raises nothing on the steady part of that series (no alert before the step)', () => {
    for (const seed of [1, 2, 3, 4, 5, 42]) {
      expect(
        stepRun(seed, 60)
          .slice(0, 200)
          .filter((o) => o.alert),
      ).toEqual([]);
    }
  });

  it('raises at most 0.5 alerts per 10,000 readings on long stationary Gaussian noise', () => {
    let n = 0;
    let onsets = 0;
    for (const seed of [11, 12, 13]) {
      const rnd = seededRandom(seed);
      const d = new CyberstrideDetector();
      for (let t = 0; t < 10_000; t++) {
        const o = d.update(50 + 3 * rnd.normal(), t * 300_000);
        n++;
        if (o.alert && o.kind === 'change') onsets++;
      }
    }
    expect((onsets / n) * 10_000).toBeLessThanOrEqual(0.5);
  });

  it('scores a new extreme beyond the range seen so far as 1', () => {
    const rnd = seededRandom(9);
    const d = new CyberstrideDetector();
    for (let t = 0; t < 500; t++) d.update(10 + rnd.uniform(), t * 60_000);
    expect(d.update(12, 500 * 60_000).score).toBe(1);
  });

  it('damps the score for `refractory` readings after firing, so one anomaly is one detection', () => {
    const rnd = seededRandom(10);
    const d = new CyberstrideDetector();
    for (let t = 0; t < 500; t++) d.update(10 + rnd.uniform(), t * 60_000);
    expect(d.update(15, 500 * 60_000).score).toBe(1); // a spike: fires
    d.update(10.5, 501 * 60_000);
    const again = d.update(16, 502 * 60_000); // a bigger spike soon after: damped
    expect(again.score).toBeLessThan(FIRE);
    expect(again.score).toBeGreaterThan(0);
  });

  it('learns a daily cycle: the usual rise at the usual hour is not an anomaly, a missing rise is', () => {
    const day = 288; // readings of 5 minutes
    const rnd = seededRandom(12);
    const d = new CyberstrideDetector();
    const value = (t: number, skip: boolean) => (t % day >= 100 && t % day < 200 && !skip ? 80 : 20) + rnd.uniform();
    let firedOnCycle = 0;
    for (let t = 0; t < 14 * day; t++) {
      const o = d.update(value(t, false), t * 300_000);
      if (t >= 3 * day && o.score >= FIRE) firedOnCycle++;
    }
    let firedOnMissingRise = false;
    for (let t = 14 * day; t < 15 * day; t++)
      if (d.update(value(t, true), t * 300_000).score >= FIRE) firedOnMissingRise = true;
    expect(firedOnCycle).toBe(0);
    expect(firedOnMissingRise).toBe(true);
  });

  it('gives score 0 for the first `warmup` readings', () => {
    const d = new CyberstrideDetector({ warmup: 30 });
    for (let t = 0; t < 30; t++) expect(d.update(t % 3 === 0 ? 1e6 : 1, t).score).toBe(0);
  });
});

describe('CyberstrideDetector state', () => {
  it('keeps its snapshot under 2 KiB of JSON', () => {
    const rnd = seededRandom(4);
    const d = new CyberstrideDetector();
    for (let t = 0; t < 3000; t++) d.update(1e8 * rnd.normal() + (t % 700 === 0 ? 1e10 : 0), t * 300_000 + 0.123);
    expect(JSON.stringify(d.snapshot()).length).toBeLessThanOrEqual(2048);
  });

  it('rejects bad options with a message that names the option', () => {
    expect(() => new CyberstrideDetector({ levelRate: 0 })).toThrow(/levelRate/);
    expect(() => new CyberstrideDetector({ seasonalBins: 97 })).toThrow(/seasonalBins/);
    expect(() => new CyberstrideDetector({ fireAt: 2 })).toThrow(/fireAt/);
    expect(() => new CyberstrideDetector({ harrisonStevens: { warmup: 1 } })).toThrow(/warmup/);
  });

  it('restores with the seasonal baseline switched off, and rejects a version-1 snapshot with the wrong number of counts', () => {
    const d = new CyberstrideDetector({ seasonalBins: 0 });
    for (let t = 0; t < 50; t++) d.update(Math.sin(t), t);
    const again = restoreDetector(JSON.parse(JSON.stringify(d.snapshot())));
    expect(again.update(3, 50)).toEqual(d.update(3, 50));
    const bad = { ...V1_SNAPSHOT, counts: '0' };
    expect(() => restoreDetector(bad)).toThrow(/counts/);
  });

  it('keeps every seasonal bin count, up to the cap of 35, through snapshot and restore (with any number of bins)', () => {
    for (const bins of [1, 7, 8, 9, 24, 96]) {
      const d = new CyberstrideDetector({ seasonalBins: bins });
      d.update(5, 0); // the first reading only initialises
      // Bin b then gets b % 40 readings: counts 0 to 39, so some reach the cap.
      let t = 0;
      for (let b = 0; b < bins; b++)
        for (let k = 0; k < b % 40; k++) d.update(5 + (k % 3), (b * 86_400_000) / bins + 1 + t++);
      const snap = d.snapshot();
      const bytes = Buffer.from(snap.state, 'base64');
      expect(bytes.length).toBe(cyberstrideSlotBytes(bins));
      const countsAt = (144 + bins) * 4 + 2 * bins; // after 144 numbers, the bin means (float32) and deviations (bf16)
      const counts = [...bytes.subarray(countsAt, countsAt + bins)];
      expect(counts).toEqual(Array.from({ length: bins }, (_, b) => Math.min(b % 40, 35)));
      const again = restoreDetector(JSON.parse(JSON.stringify(snap)));
      expect(again.snapshot()).toEqual(snap);
      for (let k = 0; k < 200; k++) {
        const ts = 90_000_000 + k * 3_600_000;
        expect(again.update(5 + (k % 7), ts)).toEqual(d.update(5 + (k % 7), ts));
      }
    }
  });

  it('takes 744 bytes of slab per detector with 24 bins, and under 2 KiB of JSON per snapshot', () => {
    expect(cyberstrideSlotBytes(24)).toBe(744);
    const d = new CyberstrideDetector();
    mixedSeries(500, 8).forEach((y, t) => d.update(y, t * 60_000));
    expect(JSON.stringify(d.snapshot()).length).toBeLessThan(2048);
  });

  it('restores a version-1 snapshot of the earlier build and goes on without learning again: the step at output 50 is alerted and called a step', () => {
    const rnd = seededRandom(7);
    const ys: number[] = [];
    for (let t = 0; t < 700; t++) ys.push(1000 + 5 * rnd.normal() + (t >= 650 ? 60 : 0) + (t === 500 ? 40 : 0));
    const d = restoreDetector(JSON.parse(JSON.stringify(V1_SNAPSHOT)));
    const got = ys.slice(600).map((y, i) => d.update(y, 1_700_000_000_000 + (600 + i) * 300_000));
    expect(got.some((o) => o.learning)).toBe(false);
    expect(got.findIndex((o) => o.alert)).toBe(50);
    expect(got[53]!.kind).toBe('step');
    // The numbers it carried over still describe the series: the forecast before the step is within noise of 1000.
    expect(Math.abs(got[49]!.forecast!.mean - 1000)).toBeLessThan(15);
    expect(V1_AFTER.length).toBe(100);
    expect(d.snapshot().version).toBe(9);
  });

  it.each([
    ['version-2', 'the slot before the alert decision', V2_SNAPSHOT],
    ['version-3', 'the slot before the long-level gate', V3_SNAPSHOT],
    ['version-4', 'the slot before the shift CUSUM', V4_SNAPSHOT],
    ['version-5', "the slot before the series' own extremes", V5_SNAPSHOT],
    ['version-6', 'the slot before the seasonal path', V6_SNAPSHOT],
    ['version-7', 'the slot before the sustained time-of-day path', V7_SNAPSHOT],
    ['version-8', 'the slot before the weekday offsets', V8_SNAPSHOT],
  ])(
    'restores a %s snapshot (%s): no learning again, quiet on the same noise, a later step alerted and called a step',
    (_version, _what, snapshot) => {
      const rnd = seededRandom(21);
      for (let t = 0; t < 600; t++) rnd.normal(); // the readings the snapshot has seen
      const d = restoreDetector(JSON.parse(JSON.stringify(snapshot)));
      const got = Array.from({ length: 300 }, (_, i) =>
        d.update(500 + 4 * rnd.normal() + (i >= 250 ? 60 : 0), 1_700_000_000_000 + (600 + i) * 300_000),
      );
      expect(got.some((o) => o.learning)).toBe(false);
      expect(got.findIndex((o) => o.alert)).toBe(250);
      expect(got[253]!.kind).toBe('step');
      expect(d.snapshot().version).toBe(9);
    },
  );

  it('restores a version-3 snapshot written before tailPower existed, taking its default, and goes on exactly as a snapshot that names it', () => {
    const rnd = seededRandom(8);
    const d = new CyberstrideDetector();
    for (let t = 0; t < 400; t++) d.update(rnd.normal(), 1_700_000_000_000 + t * 60_000);
    const snap = JSON.parse(JSON.stringify(d.snapshot()));
    const old = JSON.parse(JSON.stringify(snap));
    delete old.options.tailPower; // as the build before it wrote them
    const a = restoreDetector(old);
    const b = restoreDetector(snap);
    expect((a.snapshot() as unknown as { options: { tailPower: number } }).options.tailPower).toBe(
      CYBERSTRIDE_DEFAULTS.tailPower,
    );
    for (let t = 400; t < 450; t++) {
      const v = rnd.normal() + (t >= 430 ? 12 : 0);
      expect(a.update(v, 1_700_000_000_000 + t * 60_000)).toEqual(b.update(v, 1_700_000_000_000 + t * 60_000));
    }
  });

  it('stays valid when values leave the float32 range of the first one (the unit is rescaled), and restores exactly after', () => {
    for (const [first, later] of [
      [1e-300, 1e200],
      [0, 1e-200],
      [-3, -1e300],
    ] as const) {
      const d = new CyberstrideDetector();
      const ys = [
        first,
        ...mixedSeries(600, 9).map((y, t) =>
          t < 300 ? first + y * 1e-3 * (Math.abs(first) || 1) : later * (1 + y / 100),
        ),
      ];
      expect({ first, problems: problemsOver(d, ys.slice(0, 400)) }).toEqual({ first, problems: [] });
      const again = restoreDetector(JSON.parse(JSON.stringify(d.snapshot())));
      const a = ys.slice(400).map((y, i) => d.update(y, 400 + i));
      const b = ys.slice(400).map((y, i) => again.update(y, 400 + i));
      expect(firstDifference(a, b)).toBe(-1);
      expect(a.map(outputProblem).filter((p) => p !== null)).toEqual([]);
    }
  });

  it('frees its slot on dispose(): the next detector reuses it from a clean state, and the disposed one refuses to run', () => {
    const ys = mixedSeries(300, 10);
    const fresh = ys.map((y, t) => new CyberstrideDetector({ seasonalBins: 5 }).update(y, t)); // one reading each
    const used = new CyberstrideDetector({ seasonalBins: 5 });
    ys.forEach((y, t) => used.update(y, t));
    used.dispose();
    used.dispose(); // twice is harmless
    expect(() => used.update(1, 400)).toThrow(/dispose/);
    expect(() => used.snapshot()).toThrow(/dispose/);
    const reused = new CyberstrideDetector({ seasonalBins: 5 });
    expect(reused.snapshot()).toEqual(new CyberstrideDetector({ seasonalBins: 5 }).snapshot());
    expect(reused.update(ys[0]!, 0)).toEqual(fresh[0]);
    const whole = new CyberstrideDetector({ seasonalBins: 5 });
    const again = new CyberstrideDetector({ seasonalBins: 5 });
    expect(
      firstDifference(
        ys.map((y, t) => again.update(y, t)),
        ys.map((y, t) => whole.update(y, t)),
      ),
    ).toBe(-1);
  });

  it('rejects a version-2 snapshot with a non-finite number or a wrong length, naming the problem', () => {
    const d = new CyberstrideDetector();
    mixedSeries(100, 11).forEach((y, t) => d.update(y, t));
    const snap = d.snapshot();
    const bytes = Buffer.from(snap.state, 'base64');
    bytes.writeDoubleLE(Number.NaN, 8); // the anchor
    expect(() => restoreDetector({ ...snap, state: bytes.toString('base64') })).toThrow(/anchor/);
    expect(() => restoreDetector({ ...snap, state: snap.state.slice(8) })).toThrow(/bytes/);
    const level = Buffer.from(snap.state, 'base64');
    level.writeFloatLE(Number.POSITIVE_INFINITY, 58 * 4);
    expect(() => restoreDetector({ ...snap, state: level.toString('base64') })).toThrow(/finite/);
    const weekday = Buffer.from(snap.state, 'base64');
    weekday.writeFloatLE(Number.NaN, (137 + 3) * 4); // Wednesday's offset
    expect(() => restoreDetector({ ...snap, state: weekday.toString('base64') })).toThrow(
      /weekday offset 3 is not finite/,
    );
  });

  it('shares one frozen copy of the resolved options between detectors, and gives each snapshot its own copy', () => {
    const a = new CyberstrideDetector({ seasonalBins: 12 });
    const b = new CyberstrideDetector({ seasonalBins: 12 });
    const snapA = a.snapshot();
    snapA.options.harrisonStevens.prior[0] = 0.5;
    snapA.options.fireAt = 0.5;
    expect(b.snapshot().options).toEqual(new CyberstrideDetector({ seasonalBins: 12 }).snapshot().options);
    expect(b.snapshot().options.fireAt).toBe(CYBERSTRIDE_DEFAULTS.fireAt);
    expect(cyberstrideModel({ seasonalBins: 12 })).toBe(cyberstrideModel({ seasonalBins: 12 }));
    expect(cyberstrideModel({})).toBe(cyberstrideModel());
    expect(cyberstrideModel({ seasonalBins: 12 })).not.toBe(cyberstrideModel({ seasonalBins: 13 }));
    expect(Object.isFrozen(cyberstrideModel().opts.harrisonStevens.prior)).toBe(true);
  });
});

describe('normalCdf', () => {
  it('matches the standard normal distribution function', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
    expect(normalCdf(2.326348)).toBeCloseTo(0.99, 6);
    expect(normalCdf(40)).toBe(1);
  });
});
