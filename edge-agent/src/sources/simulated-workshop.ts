import type { Reading } from '@opsroom/models';
import { METRIC_PATTERN } from '@opsroom/models';
import type { FaultableSource } from './source.js';
import { ActiveFault, validateFault, type Fault } from './faults.js';
import { fnv1a, gaussian, mulberry32 } from './prng.js';

/** How one simulated metric behaves. Every amount is in the metric's own unit. */
export interface SimulatedMetric {
  /** Mean level. */
  base: number;
  /** Standard deviation of the Gaussian noise on each sample (0 = none). */
  noise: number;
  /** Amplitude of the daily cycle: trough at 00:00 UTC, peak at 12:00 UTC (0 = none). */
  daily: number;
  /** Amplitude of the weekly cycle: trough Monday 00:00 UTC, peak Thursday 12:00 UTC (0 = none). */
  weekly: number;
  /** Lowest value produced (e.g. 0 for a count); none when omitted. Applied after faults. */
  min?: number;
  /** Highest value produced (e.g. 100 for a percentage); none when omitted. */
  max?: number;
  /** Decimal places kept (default 3). */
  decimals?: number;
}

/**
 * The metrics of the demo model's workshops, with believable levels for a small textile
 * workshop sampled as instantaneous rates.
 */
export const DEMO_WORKSHOP_METRICS: Readonly<Record<string, Readonly<SimulatedMetric>>> = Object.freeze({
  output: { base: 120, noise: 4, daily: 30, weekly: 10, min: 0 }, // units (per hour)
  energy: { base: 45, noise: 2, daily: 12, weekly: 4, min: 0 }, // kWh (per hour)
  water: { base: 3.2, noise: 0.2, daily: 0.8, weekly: 0.3, min: 0 }, // m3 (per hour)
  labour: { base: 16, noise: 0.5, daily: 6, weekly: 2, min: 0 }, // h (person-hours per hour)
  defect_rate: { base: 2.5, noise: 0.3, daily: 0.4, weekly: 0.2, min: 0, max: 100 }, // %
  temperature: { base: 21, noise: 0.4, daily: 3, weekly: 0.5 }, // °C
});

export interface SimulatedWorkshopOptions {
  /** Names the source in logs (`simulated:<name>`); usually the device id. */
  name: string;
  /** Seed of the noise; same seed and same sample times give the same readings. */
  seed: number;
  /** Metric id -> behaviour; readings come in this order. */
  metrics: Readonly<Record<string, Readonly<SimulatedMetric>>>;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday; weeks here start on Monday 00:00 UTC, 4 days later. */
const MONDAY_OFFSET_MS = 4 * DAY_MS;

const mod = (a: number, n: number) => ((a % n) + n) % n;

/**
 * The daily plus weekly cycle at time `t` (ms since epoch, UTC), without the base level.
 * @example seasonal(0, 10, 0) // -10 (midnight: trough of the daily cycle)
 * @example seasonal(12 * 3600_000, 10, 0) // 10 (noon: its peak)
 */
export function seasonal(t: number, daily: number, weekly: number): number {
  const d = daily === 0 ? 0 : -daily * Math.cos((2 * Math.PI * mod(t, DAY_MS)) / DAY_MS);
  const w = weekly === 0 ? 0 : -weekly * Math.cos((2 * Math.PI * mod(t - MONDAY_OFFSET_MS, WEEK_MS)) / WEEK_MS);
  return d + w;
}

interface MetricState {
  readonly id: string;
  readonly def: Readonly<SimulatedMetric>;
  readonly rng: () => number;
  readonly scale: number;
  faults: ActiveFault[];
  last: number | undefined;
}

/**
 * A workshop that does not exist: base level + daily and weekly cycles + seeded Gaussian noise,
 * per metric, with injectable faults. Deterministic: the readings depend only on the seed, the
 * metric definitions, the faults and the sample times. Each metric has its own random stream
 * (seed mixed with the metric id), so adding a metric or a dropout does not change the others.
 */
export class SimulatedWorkshop implements FaultableSource {
  readonly id: string;
  readonly metrics: readonly string[];
  private readonly states = new Map<string, MetricState>();

  constructor(options: SimulatedWorkshopOptions) {
    this.id = `simulated:${options.name}`;
    for (const [id, def] of Object.entries(options.metrics)) {
      if (!METRIC_PATTERN.test(id))
        throw new Error(`simulated metric id ${JSON.stringify(id)} must match ${METRIC_PATTERN}`);
      for (const k of ['base', 'noise', 'daily', 'weekly'] as const) {
        if (!Number.isFinite(def[k])) throw new Error(`simulated metric ${id}: ${k} must be a finite number`);
      }
      const decimals = def.decimals ?? 3;
      this.states.set(id, {
        id,
        def,
        rng: mulberry32((options.seed ^ fnv1a(id)) >>> 0),
        scale: 10 ** decimals,
        faults: [],
        last: undefined,
      });
    }
    this.metrics = Object.freeze([...this.states.keys()]);
  }

  sample(now: number): Reading[] {
    const out: Reading[] = [];
    for (const s of this.states.values()) {
      const { def } = s;
      // Noise is drawn on every sample, dropout or not, so the stream never shifts.
      const noise = gaussian(s.rng) * def.noise;
      let value: number | null = def.base + seasonal(now, def.daily, def.weekly) + noise;
      for (const f of s.faults) {
        value = f.apply(now, value, s.last);
        if (value === null) break;
      }
      if (s.faults.length > 0) s.faults = s.faults.filter((f) => !f.isOver(now));
      if (value === null) continue;
      if (def.min !== undefined && value < def.min) value = def.min;
      if (def.max !== undefined && value > def.max) value = def.max;
      value = Math.round(value * s.scale) / s.scale;
      s.last = value;
      out.push({ metric: s.id, value, ts: now });
    }
    return out;
  }

  injectFault(metric: string, fault: Fault): void {
    const s = this.states.get(metric);
    if (!s)
      throw new Error(`no metric ${JSON.stringify(metric)} in ${this.id}; its metrics are ${this.metrics.join(', ')}`);
    const problem = validateFault(fault);
    if (problem) throw new Error(`cannot inject fault into ${metric}: ${problem}`);
    s.faults.push(new ActiveFault({ ...fault }));
  }

  clearFaults(metric?: string): void {
    for (const s of this.states.values()) if (metric === undefined || s.id === metric) s.faults = [];
  }

  /** Faults currently attached to a metric (for tests and status pages). */
  activeFaults(metric: string): readonly Fault[] {
    return this.states.get(metric)?.faults.map((f) => f.fault) ?? [];
  }
}
