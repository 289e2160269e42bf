import { describe, it, expect } from '@jest/globals';
import { DEMO_WORKSHOP_METRICS, SimulatedWorkshop, seasonal, type SimulatedMetric } from './simulated-workshop.js';

const HOUR = 3_600_000;
/** Monday 2026-11-23 00:00 UTC. */
const MONDAY = Date.UTC(2026, 10, 23);

const flat = (base: number, extra: Partial<SimulatedMetric> = {}): SimulatedMetric => ({
  base,
  noise: 0,
  daily: 0,
  weekly: 0,
  ...extra,
});

function run(source: SimulatedWorkshop, from: number, n: number, stepMs = 1000) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(...source.sample(from + i * stepMs));
  return out;
}

describe('seasonal', () => {
  it('peaks at noon and bottoms at midnight UTC', () => {
    expect(seasonal(MONDAY, 10, 0)).toBeCloseTo(-10, 9);
    expect(seasonal(MONDAY + 12 * HOUR, 10, 0)).toBeCloseTo(10, 9);
    expect(seasonal(MONDAY + 6 * HOUR, 10, 0)).toBeCloseTo(0, 9);
  });

  it('peaks on Thursday noon and bottoms on Monday midnight over the week', () => {
    expect(seasonal(MONDAY, 0, 5)).toBeCloseTo(-5, 9);
    expect(seasonal(MONDAY + 3.5 * 24 * HOUR, 0, 5)).toBeCloseTo(5, 9);
  });
});

describe('SimulatedWorkshop', () => {
  it('produces one reading per metric per sample, stamped with the sample time, in config order', () => {
    const ws = new SimulatedWorkshop({ name: 't1', seed: 1, metrics: DEMO_WORKSHOP_METRICS });
    const rs = ws.sample(MONDAY);
    expect(rs.map((r) => r.metric)).toEqual(['output', 'energy', 'water', 'labour', 'defect_rate', 'temperature']);
    expect(rs.every((r) => r.ts === MONDAY && Number.isFinite(r.value))).toBe(true);
    expect(ws.id).toBe('simulated:t1');
  });

  it('is deterministic: same seed and times give the same readings, another seed differs', () => {
    const a = run(new SimulatedWorkshop({ name: 'a', seed: 42, metrics: DEMO_WORKSHOP_METRICS }), MONDAY, 50);
    const b = run(new SimulatedWorkshop({ name: 'b', seed: 42, metrics: DEMO_WORKSHOP_METRICS }), MONDAY, 50);
    const c = run(new SimulatedWorkshop({ name: 'c', seed: 43, metrics: DEMO_WORKSHOP_METRICS }), MONDAY, 50);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('keeps each metric on its own random stream', () => {
    const one = new SimulatedWorkshop({ name: 'x', seed: 5, metrics: { output: DEMO_WORKSHOP_METRICS.output! } });
    const two = new SimulatedWorkshop({
      name: 'x',
      seed: 5,
      metrics: { energy: DEMO_WORKSHOP_METRICS.energy!, output: DEMO_WORKSHOP_METRICS.output! },
    });
    const outputs = (rs: { metric: string; value: number }[]) =>
      rs.filter((r) => r.metric === 'output').map((r) => r.value);
    expect(outputs(run(two, MONDAY, 20))).toEqual(outputs(run(one, MONDAY, 20)));
  });

  it('adds noise with the configured standard deviation around the base', () => {
    const ws = new SimulatedWorkshop({ name: 'n', seed: 9, metrics: { m: flat(100, { noise: 2, decimals: 6 }) } });
    const vs = run(ws, MONDAY, 5000).map((r) => r.value);
    const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
    const sd = Math.sqrt(vs.reduce((a, b) => a + (b - mean) ** 2, 0) / vs.length);
    expect(mean).toBeCloseTo(100, 0);
    expect(sd).toBeGreaterThan(1.8);
    expect(sd).toBeLessThan(2.2);
  });

  it('follows the daily cycle and clamps to min and max, rounding to the configured decimals', () => {
    const ws = new SimulatedWorkshop({
      name: 'd',
      seed: 1,
      metrics: { m: flat(10, { daily: 4 }), c: flat(5, { daily: 10, min: 0, max: 12 }), r: flat(1.23456) },
    });
    const at = (t: number) => Object.fromEntries(ws.sample(t).map((r) => [r.metric, r.value]));
    expect(at(MONDAY)).toEqual({ m: 6, c: 0, r: 1.235 });
    expect(at(MONDAY + 12 * HOUR)).toEqual({ m: 14, c: 12, r: 1.235 });
  });

  it('applies a step from its start time on', () => {
    const ws = new SimulatedWorkshop({ name: 's', seed: 1, metrics: { m: flat(10) } });
    ws.injectFault('m', { kind: 'step', at: MONDAY + 2000, factor: 0.5, offset: 1 });
    expect(run(ws, MONDAY, 4).map((r) => r.value)).toEqual([10, 10, 6, 6]);
  });

  it('applies a drift as a slope from its start', () => {
    const ws = new SimulatedWorkshop({ name: 's', seed: 1, metrics: { m: flat(10) } });
    ws.injectFault('m', { kind: 'drift', at: MONDAY, slopePerHour: 3600 }); // 1 per second
    expect(run(ws, MONDAY, 4).map((r) => r.value)).toEqual([10, 11, 12, 13]);
  });

  it('spikes one sample only, the first at or after its time', () => {
    const ws = new SimulatedWorkshop({ name: 's', seed: 1, metrics: { m: flat(10) } });
    ws.injectFault('m', { kind: 'spike', at: MONDAY + 1500, factor: 5 });
    expect(run(ws, MONDAY, 4).map((r) => r.value)).toEqual([10, 10, 50, 10]);
    expect(ws.activeFaults('m')).toEqual([]);
  });

  it('flatlines at the last value before the fault, then recovers after its duration', () => {
    const ws = new SimulatedWorkshop({ name: 's', seed: 1, metrics: { m: flat(10, { daily: 100, decimals: 0 }) } });
    const before = ws.sample(MONDAY).map((r) => r.value);
    ws.injectFault('m', { kind: 'flatline', durationMs: 2 * HOUR });
    const during = [ws.sample(MONDAY + HOUR)[0]!.value, ws.sample(MONDAY + 1.5 * HOUR)[0]!.value];
    expect(during).toEqual([before[0], before[0]]);
    expect(ws.sample(MONDAY + 3 * HOUR)[0]!.value).not.toBe(before[0]);
  });

  it('produces no readings for a metric during a dropout, and the others carry on', () => {
    const ws = new SimulatedWorkshop({ name: 's', seed: 1, metrics: { a: flat(1), b: flat(2) } });
    ws.injectFault('a', { kind: 'dropout', at: MONDAY + 1000, durationMs: 2000 });
    const rs = run(ws, MONDAY, 5);
    expect(rs.filter((r) => r.metric === 'a').map((r) => r.ts - MONDAY)).toEqual([0, 3000, 4000]);
    expect(rs.filter((r) => r.metric === 'b')).toHaveLength(5);
  });

  it('keeps noise aligned across a dropout so the stream resumes where it would have been', () => {
    const metrics = { m: flat(10, { noise: 1 }) };
    const plain = run(new SimulatedWorkshop({ name: 'p', seed: 3, metrics }), MONDAY, 6);
    const ws = new SimulatedWorkshop({ name: 'p', seed: 3, metrics });
    ws.injectFault('m', { kind: 'dropout', at: MONDAY + 1000, durationMs: 2000 });
    expect(run(ws, MONDAY, 6)).toEqual(plain.filter((r) => r.ts < MONDAY + 1000 || r.ts >= MONDAY + 3000));
  });

  it('clears faults on request', () => {
    const ws = new SimulatedWorkshop({ name: 's', seed: 1, metrics: { m: flat(10) } });
    ws.injectFault('m', { kind: 'step', factor: 2 });
    expect(ws.sample(MONDAY)[0]!.value).toBe(20);
    ws.clearFaults('m');
    expect(ws.sample(MONDAY + 1000)[0]!.value).toBe(10);
  });

  it('refuses a fault for an unknown metric or of a bad shape, saying why', () => {
    const ws = new SimulatedWorkshop({ name: 's', seed: 1, metrics: { m: flat(10) } });
    expect(() => ws.injectFault('nope', { kind: 'step', factor: 2 })).toThrow(/no metric "nope".*its metrics are m/);
    expect(() => ws.injectFault('m', { kind: 'drift' } as never)).toThrow(/slopePerHour/);
  });

  it('refuses metric definitions it cannot simulate', () => {
    expect(() => new SimulatedWorkshop({ name: 's', seed: 1, metrics: { '1bad': flat(1) } })).toThrow(/must match/);
    expect(() => new SimulatedWorkshop({ name: 's', seed: 1, metrics: { m: flat(Number.NaN) } })).toThrow(
      /base must be a finite number/,
    );
  });
});
