import { seasonal, type Fault, type FaultKind, type SimulatedMetric } from '@opsroom/edge-agent';

/** How long the demo's steps, drifts, flatlines and dropouts last, ms. */
export const DEMO_FAULT_MS = 90_000;

/** One injected fault as the demo logs it (`--faults-log`: one JSON line each), to score the alerts against. */
export interface FaultRecord {
  /** When it was injected (ISO-8601); the agent applies it from its next sample, within one sample interval. */
  at: string;
  atMs: number;
  device: string;
  /** The node the device is bound to (where its readings count). */
  node: string;
  metric: string;
  kind: FaultKind;
  /** How far it moves the series, in the metric's unit (0 for a flatline or dropout). */
  size: number;
  /** `size` over the simulated series' noise σ; null when that says nothing (flatline, dropout, a noiseless series). */
  sizeSigma: number | null;
  /** How long it acts, ms (0 for a spike: one reading). */
  durationMs: number;
}

/** The faults the demo injects, drawn with the caller's seeded random in [0,1). */
export function pickFault(
  random: () => number,
  metrics: readonly string[],
): { metric: string; fault: Fault; description: string } {
  const metric = metrics[Math.floor(random() * metrics.length)]!;
  const r = random();
  const durationMs = DEMO_FAULT_MS;
  if (r < 0.4) {
    const factor = random() < 0.5 ? 0.5 : 1.6;
    return { metric, fault: { kind: 'step', factor, durationMs }, description: `step (×${factor} for 90 s)` };
  }
  if (r < 0.6) return { metric, fault: { kind: 'spike', factor: 3 }, description: 'spike (one reading ×3)' };
  if (r < 0.8)
    return {
      metric,
      fault: { kind: 'drift', slopePerHour: 400, durationMs },
      description: 'drift (+400 units/h for 90 s)',
    };
  if (r < 0.9) return { metric, fault: { kind: 'flatline', durationMs }, description: 'flatline (90 s)' };
  return { metric, fault: { kind: 'dropout', durationMs }, description: 'dropout (no readings for 90 s)' };
}

/**
 * The simulated series' noise-free level at `t`: base plus its daily and weekly cycles, within its bounds.
 * @example seriesLevel({ base: 100, noise: 3, daily: 0, weekly: 0 }, 0) // 100
 */
export function seriesLevel(def: Readonly<SimulatedMetric>, t: number): number {
  let level = def.base + seasonal(t, def.daily, def.weekly);
  if (def.min !== undefined && level < def.min) level = def.min;
  if (def.max !== undefined && level > def.max) level = def.max;
  return level;
}

/**
 * How big a fault is on a simulated series when it starts at `t`, in the metric's unit and in
 * noise σ: a step or spike moves the level by |factor − 1| × level + |offset|; a drift by its total
 * rise over its duration; a flatline or dropout by nothing measurable (size 0, sizeSigma null).
 * @example faultSize({ kind: 'step', factor: 1.6, durationMs: 90_000 }, { base: 100, noise: 4, daily: 0, weekly: 0 },
 * 0) // { size: 60, sizeSigma: 15 }
 * @example faultSize({ kind: 'drift', slopePerHour: 400, durationMs: 90_000 }, { base: 100, noise: 4, daily: 0,
 * weekly: 0 }, 0) // { size: 10, sizeSigma: 2.5 }
 */
export function faultSize(
  fault: Fault,
  def: Readonly<SimulatedMetric>,
  t: number,
): { size: number; sizeSigma: number | null } {
  let size: number;
  switch (fault.kind) {
    case 'step':
    case 'spike':
      size = Math.abs((fault.factor ?? 1) - 1) * seriesLevel(def, t) + Math.abs(fault.offset ?? 0);
      break;
    case 'drift':
      size = fault.durationMs === undefined ? Infinity : Math.abs(fault.slopePerHour) * (fault.durationMs / 3_600_000);
      break;
    case 'flatline':
    case 'dropout':
      return { size: 0, sizeSigma: null };
  }
  return { size: round(size), sizeSigma: def.noise > 0 && Number.isFinite(size) ? round(size / def.noise) : null };
}

/** The log line's record of a fault injected at `atMs` into one device's metric. */
export function faultRecord(
  atMs: number,
  device: string,
  node: string,
  metric: string,
  fault: Fault,
  def: Readonly<SimulatedMetric>,
): FaultRecord {
  const { size, sizeSigma } = faultSize(fault, def, atMs);
  const durationMs = fault.kind === 'spike' ? 0 : (fault.durationMs ?? 0);
  return {
    at: new Date(atMs).toISOString(),
    atMs,
    device,
    node,
    metric,
    kind: fault.kind,
    size,
    sizeSigma,
    durationMs,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
