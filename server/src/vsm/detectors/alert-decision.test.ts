import { describe, expect, it } from '@jest/globals';
import { CYBERSTRIDE_DEFAULTS, CyberstrideDetector } from './cyberstride.js';
import type { DetectorOutput, DetectorState } from './detector.js';
import { restoreDetector } from './restore.js';
import { seededRandom } from '../../../bench/synthetic/seeded-random.js';
import { generateFamily } from '../../../bench/synthetic/families.js';
import { evaluateSyntheticSuite } from '../../../bench/synthetic/suite.js';

/** A null family's alert onsets per 10,000 readings under the default detector, report seeds 1–20 (bench:synthetic's count). */
function nullOnsetsPer10k(family: string): number {
  return evaluateSyntheticSuite(() => new CyberstrideDetector(), { seeds: 20, families: [family] }).nullFamilies[0]!
    .onsetsPer10k;
}

const T0 = 1_700_000_000_000;
const MIN = 60_000;

/** n readings of level + unit Gaussian noise + effect(t), one a minute; the outputs. */
function run(
  seed: number,
  n: number,
  effect: (t: number) => number = () => 0,
  level = 0,
  d = new CyberstrideDetector(),
): DetectorOutput[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, (_, t) => d.update(level + rnd.normal() + effect(t), T0 + t * MIN));
}

/** n readings of AR(1) noise (phi 0.9, unit innovations) + effect(t) in units of its marginal sd, one a minute; the outputs. */
function runAr1(seed: number, n: number, effect: (t: number) => number): DetectorOutput[] {
  const sd = 1 / Math.sqrt(1 - 0.81);
  const rnd = seededRandom(seed);
  const d = new CyberstrideDetector();
  let x = rnd.normal() * sd;
  return Array.from({ length: n }, (_, t) => {
    x = 0.9 * x + rnd.normal();
    return d.update(x + effect(t) * sd, T0 + t * MIN);
  });
}

/** A Student t(3) draw: a heavy tail (spikes of 10–20 σ now and then). */
function t3(rnd: ReturnType<typeof seededRandom>): number {
  const z = rnd.normal();
  const c = rnd.normal() ** 2 + rnd.normal() ** 2 + rnd.normal() ** 2;
  return z / Math.sqrt(c / 3);
}

/** 3,000 readings of Student t3 noise (seeded), a minute apart; returns a value beyond their range by half of it. */
function warmOnT3(d: CyberstrideDetector, seed: number): number {
  const rnd = seededRandom(seed);
  let hi = -Infinity;
  let lo = Infinity;
  for (let t = 0; t < 3000; t++) {
    const v = t3(rnd);
    hi = Math.max(hi, v);
    lo = Math.min(lo, v);
    d.update(v, T0 + t * MIN);
  }
  return hi + 0.5 * (hi - lo);
}

describe('what the Cyberstride detector raises', () => {
  it('raises nothing while learning, says so, and stops learning after `learn` readings', () => {
    const out = run(1, 400, (t) => (t === 60 ? 50 : 0)); // a gross outlier while learning
    expect(out.slice(0, CYBERSTRIDE_DEFAULTS.learn).every((o) => o.learning && !o.alert)).toBe(true);
    expect(out.slice(CYBERSTRIDE_DEFAULTS.learn + 1).some((o) => o.learning)).toBe(false);
  });

  it('alerts on every 10-sigma step at once and calls it a step three readings later, in every seed', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const out = run(seed, 1510, (t) => (t >= 1500 ? -10 : 0)).slice(1500);
      expect({ seed, now: out[0]!.alert, at3: out[3]!.kind }).toEqual({ seed, now: true, at3: 'step' });
    }
  });

  it('calls a steep slope a slope within three readings of the alert in at least 18 of 20 seeds, and once a slope, keeps it one while it goes on', () => {
    let right = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const out = run(seed, 1540, (t) => (t >= 1500 ? 2 * (t - 1499) : 0)).slice(1500);
      const first = out.findIndex((o) => o.alert);
      expect({ seed, found: first >= 0 && first <= 8 }).toEqual({ seed, found: true });
      if (out[first + 3]!.kind === 'slope') right++;
      const rows = out.slice(first, first + 20).filter((o) => o.alert);
      const slopeAt = rows.findIndex((o) => o.kind === 'slope');
      // No re-raise as a fresh 'change' (the reference follows the new growth rate).
      expect({ seed, after: rows.slice(slopeAt).map((o) => o.kind) }).toEqual({
        seed,
        after: rows.slice(slopeAt).map(() => 'slope'),
      });
    }
    expect(right).toBeGreaterThanOrEqual(18);
  });

  it('alerts a gentle drift that goes on (0.3 sigma a reading, under the slope gate) within 100 readings in at least half the seeds, with a probability of at least one half', () => {
    const found: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const out = run(seed, 1600, (t) => (t >= 1500 ? 0.3 * (t - 1499) : 0)).slice(1500);
      const first = out.findIndex((o) => o.alert);
      if (first >= 0) {
        found.push(seed);
        expect(out[first]!.probability).toBeGreaterThanOrEqual(0.5);
      }
    }
    expect(found.length).toBeGreaterThanOrEqual(5);
  });

  it('alerts a sustained 4-sigma step (90 readings, then back) within 60 readings in at least 27 of 30 seeds, and calls it a step in at least 90 % of them (the shift CUSUM)', () => {
    let found = 0;
    let steps = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const sign = seed % 2 ? 1 : -1;
      const out = run(seed, 1700, (t) => (t >= 1500 && t < 1590 ? 4 * sign : 0));
      const first = out.slice(1500, 1561).findIndex((o) => o.alert);
      if (first < 0) continue;
      found++;
      if (out[1500 + first + 3]!.kind === 'step') steps++;
    }
    expect(found).toBeGreaterThanOrEqual(27);
    expect(steps).toBeGreaterThanOrEqual(Math.ceil(0.9 * found));
  });

  it('alerts a sustained 3-sigma step within 10 readings in at least 25 of 30 seeds: a young shift does not lift its own gate away', () => {
    // A sum past the gate while it waits for its age (SH_MIN_AGE readings) counts at most at the gate in the gate's
    // own tail; before, it counted as it was and the gate outran it: 14 of 30 seeds, the rest at 11–13 readings.
    let quick = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const sign = seed % 2 ? 1 : -1;
      const out = run(seed, 1700, (t) => (t >= 1500 && t < 1590 ? 3 * sign : 0));
      expect({ seed, before: out.slice(1000, 1500).filter((o) => o.alert).length }).toEqual({ seed, before: 0 });
      if (out.slice(1500, 1511).some((o) => o.alert)) quick++;
    }
    expect(quick).toBeGreaterThanOrEqual(25);
  });

  it('raises a sustained 2-sigma step (the shift CUSUM, old enough to show its kind) as a step in one alert row, not a change and its update, in at least 22 of 30 seeds', () => {
    // Before, every such alert opened as a `change` and took its kind three readings later (1 of 30 opened as a step);
    // a shift raised young (its sum past twice its gate) still does.
    let oneRowSteps = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const sign = seed % 2 ? 1 : -1;
      const out = run(seed, 1600, (t) => (t >= 1500 && t < 1590 ? 2 * sign : 0));
      const rows = out.slice(1500, 1590).filter((o) => o.alert);
      expect(rows.length).toBeGreaterThan(0);
      if (rows.length === 1 && rows[0]!.kind === 'step') oneRowSteps++;
    }
    expect(oneRowSteps).toBeGreaterThanOrEqual(22);
  });

  it('alerts a sustained 4-sigma step on AR(1) noise (phi 0.9, sigma its marginal sd) within 60 readings in at least 25 of 30 seeds', () => {
    let found = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const sign = seed % 2 ? 1 : -1;
      const out = runAr1(seed, 1700, (t) => (t >= 1500 && t < 1590 ? 4 * sign : 0));
      if (out.slice(1500, 1561).some((o) => o.alert)) found++;
    }
    expect(found).toBeGreaterThanOrEqual(25);
  });

  it('calls a 4-sigma step on AR(1) noise (phi 0.9) a step three readings after its alert in every seed it is alerted, at least 27 of 30', () => {
    // The kind of a raised alert is judged under the series' own lag-1 correlation; a white-noise fit called 3 of the
    // 28 alerted steps slopes.
    let found = 0;
    let steps = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const sign = seed % 2 ? 1 : -1;
      const out = runAr1(seed, 1600, (t) => (t >= 1500 ? 4 * sign : 0));
      const first = out.slice(1500, 1521).findIndex((o) => o.alert);
      if (first < 0) continue;
      found++;
      if (out[1500 + first + 3]!.kind === 'step') steps++;
    }
    expect(found).toBeGreaterThanOrEqual(27);
    expect(steps).toBe(found);
  });

  it('raises a 3-sigma level shift on a spiky series (1 % single spikes of 15–30 sigma) within 60 readings in at least 27 of 30 seeds, and nothing in the 1,000 readings before it', () => {
    // The shift path's gate is lifted by its own sums' tail, not by the readings' kurtosis: before, these spikes put it
    // out of reach (0 of 30 seeds; NAB's ec2_cpu_utilization_53ea38 is such a series).
    let found = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const spikes = seededRandom(seed + 500);
      const spike = Array.from({ length: 2300 }, () => (spikes.uniform() < 0.01 ? 15 + 15 * spikes.uniform() : 0));
      const sign = seed % 2 ? 1 : -1;
      const out = run(seed, 2300, (t) => spike[t]! + (t >= 2000 ? 3 * sign : 0));
      expect({ seed, before: out.slice(1000, 2000).filter((o) => o.alert).length }).toEqual({ seed, before: 0 });
      if (out.slice(2000, 2060).some((o) => o.alert && o.kind === 'change')) found++;
    }
    expect(found).toBeGreaterThanOrEqual(27);
  });

  it('raises nothing on white noise: 20 seeds of 10,000 readings', () => {
    let alerts = 0;
    for (let seed = 101; seed <= 120; seed++) alerts += run(seed, 10_000).filter((o) => o.alert).length;
    expect(alerts).toBe(0);
  });

  it('states how sure it is by how far past its gate the onset went, and the kind row as sure of the change times sure of the kind', () => {
    const onsets: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const out = run(seed, 1510, (t) => (t >= 1500 ? 10 : 0)).slice(1500);
      onsets.push(out[0]!.probability);
      // float32 state: the stored onset probability may round up in the 8th digit
      expect({
        seed,
        onset: out[0]!.probability >= 0.5,
        kindRow: out[3]!.probability <= out[0]!.probability + 1e-6,
      }).toEqual({ seed, onset: true, kindRow: true });
    }
    expect(onsets.reduce((a, b) => a + b, 0) / onsets.length).toBeGreaterThan(0.95);
    // Just past the gross gate (a 7-sigma outlier on a series that has seen 1,500 readings): about one half.
    const near = run(3, 1501, (t) => (t === 1500 ? 7 : 0))[1500]!;
    if (near.alert) expect(near.probability).toBeLessThan(0.95);
  });

  it('alerts on a 10-sigma outlier at once and calls it a transient three readings later, in every seed (seed 12: its own noise leaves it 7.6 sigma out)', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const out = run(seed, 1510, (t) => (t === 1500 ? 10 : 0)).slice(1500);
      expect({ seed, now: out[0]!.alert, at3: out[3]!.kind }).toEqual({ seed, now: true, at3: 'transient' });
    }
  });

  it('does not let the quiet period after one alert hide a second gross change', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const out = run(seed, 1300, (t) => (t >= 1000 ? 10 : 0) + (t >= 1040 ? 15 : 0));
      expect({ seed, first: out[1000]!.alert, second: out[1040]!.alert }).toEqual({ seed, first: true, second: true });
    }
  });

  it('shows each alert with the reading that carries the evidence, outside the band it broke', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const out = run(
        seed,
        1600,
        (t) => (t >= 1200 ? 8 : 0) + (t === 1400 ? -12 : 0) + (t >= 1500 ? 0.8 * (t - 1500) : 0),
      );
      for (const o of out.filter((x) => x.alert && x.kind !== 'flatline')) {
        const e = o.evidence!;
        expect(e.value < e.forecast.lower || e.value > e.forecast.upper || o.probability <= 0.5).toBe(true);
      }
    }
  });

  it('keeps monitoring a device whose clock steps back to 1970: a later step is alerted', () => {
    const rnd = seededRandom(4);
    const d = new CyberstrideDetector();
    for (let t = 0; t < 600; t++) d.update(rnd.normal(), T0 + t * MIN);
    const after = Array.from({ length: 200 }, (_, t) => d.update(rnd.normal() + (t >= 100 ? 12 : 0), t * 1000)); // the clock restarted at 0
    expect(after.slice(0, 100).some((o) => o.alert)).toBe(false);
    expect(after[100]!.alert).toBe(true);
  });

  it('decides the same at any absolute level: unit noise around 0, 1e6 and 1e12 gives the same alerts', () => {
    const effect = (t: number) => (t >= 900 ? 7 : 0) + (t === 1200 ? -9 : 0);
    const alerts = (level: number) =>
      run(7, 1500, effect, level)
        .map((o, t) => (o.alert ? `${t}:${o.kind}` : ''))
        .filter(Boolean);
    const at0 = alerts(0);
    expect(at0.length).toBeGreaterThan(0);
    expect(alerts(1e6)).toEqual(at0);
    expect(alerts(1e12)).toEqual(at0);
  });

  it('raises a flatline when a varying series sticks, but not on a count series that often repeats', () => {
    const stuck = run(5, 700, () => 0).map((o) => o); // warm
    void stuck;
    const d = new CyberstrideDetector();
    const rnd = seededRandom(5);
    for (let t = 0; t < 600; t++) d.update(20 + rnd.normal(), T0 + t * MIN);
    const flat = Array.from({ length: 40 }, (_, t) => d.update(21.5, T0 + (600 + t) * MIN));
    expect(flat.filter((o) => o.alert).map((o) => o.kind)).toEqual(['flatline']);

    const counts = new CyberstrideDetector();
    const r2 = seededRandom(6);
    let alerts = 0;
    for (let t = 0; t < 10_000; t++) {
      // Mostly zeros with an occasional event: long runs of the same value are normal here.
      const o = counts.update(r2.uniform() < 0.05 ? 1 : 0, T0 + t * MIN);
      if (o.alert && o.kind === 'flatline') alerts++;
    }
    expect(alerts).toBeLessThanOrEqual(1);
  });

  it('raises a flatline once, not every day, when a flat stretch that ends soon recurs daily', () => {
    // A daily pattern that sits flat for 12 readings (an hour of 5-minute readings) every night: the first such run
    // is news, the later ones are this series' own habit (the run that raised the alert is learnt, though it ends
    // inside its own episode).
    const d = new CyberstrideDetector();
    const rnd = seededRandom(7);
    const kinds: string[] = [];
    for (let t = 0; t < 288 * 10; t++) {
      const o = d.update(t % 288 >= 200 && t % 288 < 212 ? 0 : 50 + rnd.normal(), T0 + t * 5 * MIN);
      if (o.alert && o.kind === 'flatline') kinds.push(o.kind);
    }
    expect(kinds).toEqual(['flatline']);
  });

  it('alerts a new extreme that persists on a heavy-tailed series, where one such spike alone is its usual tail', () => {
    // Student t3 noise: spikes of 10-20 sigma are this series' own, so the gross gate is far out. A record spike
    // followed at once by another far reading in the same direction is a new regime: alerted on the second reading
    // (or on the record itself where it stands far beyond the tail fitted to this series' own extremes).
    let caught = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const d = new CyberstrideDetector();
      const far = warmOnT3(d, seed); // beyond the range, by half of it
      const out = [far, far * 0.9, far].map((v, k) => d.update(v, T0 + (3000 + k) * MIN));
      if (out.some((o) => o.alert)) caught++;
    }
    expect(caught).toBe(10);
  });

  it("raises a lone record that stands far out of the series' own extremes (spikes of about one size), not a record of a heavy tail", () => {
    // A busy machine's load: noise, and a spike of about +10 every 40 readings (its own habit: the gross gate is far
    // out). A spike of +40 (four of its usual) is beyond every reading seen: its own extremes, all of about one size,
    // say it is news. (The tail index is the larger of the spikes' and the mean of both sides': the Gaussian side below
    // lifts it, so a spike of 2.5 times the usual is raised in about half of the seeds.)
    const spiky = (on: CyberstrideDetector, seed: number, last: number) => {
      const rnd = seededRandom(seed);
      const out: DetectorOutput[] = [];
      for (let t = 0; t < 2000; t++) {
        const v = 50 + rnd.normal() + (t % 40 === 17 ? 10 + 0.3 * rnd.normal() : 0) + (t === 1990 ? last : 0);
        out.push(on.update(v, T0 + t * MIN));
      }
      return out;
    };
    let caught = 0;
    let without = 0;
    let other = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const out = spiky(new CyberstrideDetector(), seed, 40);
      if (out[1990]!.alert) caught++;
      other += out.filter((o, t) => o.alert && t < 1990).length;
      if (spiky(new CyberstrideDetector({ tailP: 0 }), seed, 40)[1990]!.alert) without++;
    }
    expect(caught).toBe(10);
    expect(without).toBe(0); // the record path is what raises it
    expect(other).toBe(0);
    // Student t3: a record by half the range again is this series' tail; the record path stays quiet on it.
    let t3Alerts = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const d = new CyberstrideDetector();
      const far = warmOnT3(d, seed);
      if (d.update(far, T0 + 3000 * MIN).alert) t3Alerts++;
    }
    expect(t3Alerts).toBeLessThanOrEqual(1);
  });

  /**
   * A workshop's day: 20 at night, 80 from 09:00 to 18:00 (the rise and fall within one reading), unit noise, a reading
   * every 5 minutes for 12 days; on day `skip` the rise does not come (the shift stays home). Nothing measured against
   * the last readings can see it: the readings go on as they were. Returns the alert rows with their day and minute.
   */
  function workshopDays(
    seed: number,
    skip: number,
    options = {},
    level = 0,
  ): Array<DetectorOutput & { day: number; minute: number }> {
    const d = new CyberstrideDetector(options);
    const rnd = seededRandom(seed);
    const alerts: Array<DetectorOutput & { day: number; minute: number }> = [];
    for (let t = 0; t < 288 * 12; t++) {
      const day = Math.floor(t / 288);
      const minute = (t % 288) * 5;
      const open = minute >= 9 * 60 && minute < 18 * 60 && day !== skip;
      const o = d.update(level + (open ? 80 : 20) + rnd.normal(), Date.UTC(2024, 0, 1) + t * 5 * MIN);
      if (o.alert) alerts.push({ ...o, day, minute });
    }
    return alerts;
  }

  it('alerts a day whose usual rise does not come at 09:00, shown against its time of day and called a step three readings later, in 10 of 10 seeds, and nothing on the days it comes (the seasonal path; nothing without it)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const alerts = workshopDays(seed, 10);
      const [onset, kindRow] = alerts.filter((a) => a.day === 10);
      const said = (a: (typeof alerts)[number] | undefined) =>
        a && {
          minute: a.minute,
          kind: a.kind,
          sure: a.probability > 0.5,
          // far below the value usual at that time of day (about 80), outside its band
          below: a.evidence!.value < a.evidence!.forecast.lower && a.evidence!.forecast.mean > 50,
        };
      expect({ seed, onset: said(onset), kindRow: said(kindRow) }).toEqual({
        seed,
        onset: { minute: 9 * 60, kind: 'change', sure: true, below: true },
        kindRow: { minute: 9 * 60 + 15, kind: 'step', sure: true, below: true },
      });
      // Not even the first days, while it learns the pattern (the rise is a huge change against the last readings
      // every morning), nor the day after.
      expect({ seed, others: alerts.filter((a) => a.day !== 10).map((a) => [a.day, a.minute]) }).toEqual({
        seed,
        others: [],
      });
    }
    // (The sustained path below sees such a day too, hours later: off here, so this is the seasonal path alone.)
    expect(workshopDays(1, 10, { seasonMult: 0, sustainMult: 0 }).filter((a) => a.day === 10)).toEqual([]);
  });

  it('decides a day without its rise the same at any absolute level (the float32 state holds its precision at 1e12)', () => {
    const said = (level: number) =>
      workshopDays(2, 10, {}, level).map((a) => [a.day, a.minute, a.kind, a.probability.toFixed(2)]);
    const at0 = said(0);
    expect(at0.length).toBe(2);
    expect(said(1e6)).toEqual(at0);
    expect(said(1e12)).toEqual(at0);
  });

  /**
   * Four weeks of a daily cycle (5σ sine over the UTC day) plus unit noise, a reading every `minutes`; the alerts with
   * the day each came on. `drop` lowers day 22 (a Tuesday) from 08:00 to 20:00 by that many σ; weekends are lower by
   * `weekends` σ.
   */
  function cycleDays(seed: number, drop: number, options = {}, weekends = 0, minutes = 30) {
    const d = new CyberstrideDetector(options);
    const rnd = seededRandom(seed);
    const alerts: Array<DetectorOutput & { day: number; hour: number }> = [];
    const perDay = (24 * 60) / minutes;
    for (let t = 0; t < perDay * 28; t++) {
      const ms = Date.UTC(2024, 0, 1) + t * minutes * MIN;
      const day = Math.floor(t / perDay);
      const hour = ((t % perDay) * minutes) / 60;
      const weekend = day % 7 >= 5 ? weekends : 0; // 2024-01-01 is a Monday
      const fault = day === 22 && hour >= 8 && hour < 20 ? drop : 0;
      const o = d.update(5 * Math.sin((2 * Math.PI * hour) / 24) - weekend + rnd.normal() - fault, ms);
      if (o.alert) alerts.push({ ...o, day, hour });
    }
    return alerts;
  }

  it.each([
    [30, 2.5, 9],
    [5, 2, 9],
    [60, 3, 8], // 9 of 10 since one reading moves the mean at most a quarter of the floor (10 before, at ±4)
  ])(
    'raises a day that runs below its usual values for twelve hours (%i-minute readings, %f sigma, after three weeks) as a step within the day in at least %i of 10 seeds (an alert the detector without the sustained time-of-day path does not raise), and adds no alert elsewhere',
    (minutes, drop, least) => {
      // (At 30-minute readings a 2 sigma day was raised in 7 of 10 seeds at sustainMult 2.5, 5 at 3.)
      let raised = 0;
      for (let seed = 1; seed <= 10; seed++) {
        const on = cycleDays(seed, drop, {}, 0, minutes);
        const off = cycleDays(seed, drop, { sustainMult: 0 }, 0, minutes);
        const sustainedOnly = on.filter((a) => a.day === 22 && !off.some((b) => b.day === 22 && b.hour === a.hour));
        if (sustainedOnly.length > 0) {
          raised++;
          const first = sustainedOnly[0]!;
          expect({ seed, kind: first.kind, within: first.hour >= 8 && first.hour < 20 }).toEqual({
            seed,
            kind: 'step',
            within: true,
          });
          // shown as the last hours' mean, below the band of such means at that time of day
          expect(first.evidence!.value).toBeLessThan(first.evidence!.forecast.lower);
        }
        const elsewhere = (alerts: typeof on) => alerts.filter((a) => a.day !== 22).map((a) => [a.day, a.hour, a.kind]);
        expect({ seed, elsewhere: elsewhere(on) }).toEqual({ seed, elsewhere: elsewhere(off) });
      }
      expect(raised).toBeGreaterThanOrEqual(least);
    },
  );

  it('raises a day 1.75 sigma below its usual values for twelve hours at 5-minute readings in at least 9 of 10 seeds: past its first 35 readings a bin learns per time alone (a floor of 1/35 a reading took in a third of such a day within it: 5 of 10)', () => {
    let raised = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const alerts = cycleDays(seed, 1.75, {}, 0, 5);
      if (alerts.some((a) => a.day === 22 && a.hour >= 8 && a.hour < 20)) raised++;
      expect({ seed, elsewhere: alerts.filter((a) => a.day !== 22) }).toEqual({ seed, elsewhere: [] });
    }
    expect(raised).toBeGreaterThanOrEqual(9);
  });

  it("adds at most the budget's 0.5 alerts per 10,000 readings to four weeks of the daily cycle with weekends 3 sigma lower (half-hourly readings, 20 seeds): weekends are in its own tail before it opens", () => {
    let added = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const when = (alerts: ReturnType<typeof cycleDays>) => alerts.map((a) => `${a.day} ${a.hour} ${a.kind}`);
      const without = new Set(when(cycleDays(seed, 0, { sustainMult: 0 }, 3)));
      added += when(cycleDays(seed, 0, {}, 3)).filter((a) => !without.has(a)).length;
    }
    // 20 × 28 days × 48 readings = 26,880 readings: at most one (seen: seed 2's third weekend, a Sunday at 03:00, the
    // time-of-day bins learning at seasonalRate per bin's worth of time)
    expect(added).toBeLessThanOrEqual(Math.floor((0.5 * 20 * 28 * 48) / 10_000));
  });

  it('stays within the budget (0.5 per 10,000 readings) on the daily cycle with weekends 3 sigma lower at half-hourly and hourly readings (20 seeds of 10,000): a Monday back to its usual values is a return, not a step', () => {
    // Before a candidate's step had to leave its time of day's usual value (SEASON_CONFIRM), the Mondays' steps back up
    // were confirmed: 0.8 and 1.5 per 10k on 56-day series of these cadences (tuning seeds).
    for (const family of ['null-daily-30m', 'null-daily-hourly']) {
      expect({ family, per10k: nullOnsetsPer10k(family) <= 0.5 }).toEqual({ family, per10k: true });
    }
  });

  it("takes a weekly pattern in: on the hourly daily cycle with weekends 3 sigma lower (20 seeds of 10,000 readings), even the sustained path at sustainMult 2 raises no weekend, the weekday offsets holding the weekends' level (without them: 10 weekend alerts)", () => {
    let weekends = 0;
    let alerts = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const s = generateFamily('null-daily-hourly', seed);
      const d = new CyberstrideDetector({ sustainMult: 2 });
      for (let i = 0; i < s.values.length; i++) {
        if (!d.update(s.values[i]!, s.times[i]!).alert) continue;
        alerts++;
        const day = new Date(s.times[i]!).getUTCDay();
        if (day === 0 || day === 6) weekends++;
      }
    }
    expect({ weekends, alerts }).toEqual({ weekends: 0, alerts: 0 });
  });

  it("stays within the budget (0.5 per 10,000 readings) on the half-hourly daily cycle whose days differ (a level per day, AR(1) from day to day, sd 1 sigma; 20 seeds of 10,000): a day off by what this series' days are off by is no news", () => {
    expect(nullOnsetsPer10k('null-daily-days')).toBeLessThanOrEqual(0.5);
  });

  it('stays within the budget (0.5 per 10,000 readings) on a moderate tail and on sparse counts (Student t6, Poisson with mean 1; 20 seeds of 10,000): a kurtosis of 4–5 lifts the gross floor (2.25 and 1.25 per 10k at the tuning seeds without it)', () => {
    for (const family of ['null-t6', 'null-poisson1']) {
      expect({ family, within: nullOnsetsPer10k(family) <= 0.5 }).toEqual({ family, within: true });
    }
  });

  it('stays within the budget at hourly readings of white and Student-t3 noise (20 seeds of 10,000): one far reading moves the sustained mean at most a quarter of its floor (t3: 3.1 per 10k at the tuning seeds before)', () => {
    for (const family of ['null-white-hourly', 'null-t3-hourly']) {
      expect({ family, within: nullOnsetsPer10k(family) <= 0.5 }).toEqual({ family, within: true });
    }
  });

  it('lifts the gross floor by the kurtosis only past 500 readings of tail and outside the refractory: a 10-sigma outlier at reading 400 and a second gross change 40 readings after a first are raised at once', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const early = run(seed, 420, (t) => (t === 400 ? 10 : 0));
      const twice = run(seed, 1300, (t) => (t >= 1000 ? 10 : 0) + (t >= 1040 ? 15 : 0));
      expect({ seed, early: early[400]!.alert, second: twice[1040]!.alert }).toEqual({
        seed,
        early: true,
        second: true,
      });
    }
  });

  it('keeps a new extreme waiting for its second reading through snapshot and restore', () => {
    const d = new CyberstrideDetector();
    const far = warmOnT3(d, 3);
    expect(d.update(far, T0 + 3000 * MIN).alert).toBe(false); // a record alone is this series' tail
    const again = restoreDetector(JSON.parse(JSON.stringify(d.snapshot())) as DetectorState);
    expect(again.snapshot()).toEqual(d.snapshot());
    const next = [far * 0.9, 0, 0].map((v, k) => [again, d].map((x) => x.update(v, T0 + (3001 + k) * MIN)));
    for (const [a, b] of next) expect(a).toEqual(b);
    expect(next[0]![1]!.alert).toBe(true);
  });
});
