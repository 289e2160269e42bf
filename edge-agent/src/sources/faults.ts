/**
 * Faults a simulated source can be told to show, so that detectors and alerts have something
 * to find. Times are ms since epoch on the agent's clock; `at` omitted means "from the next
 * sample on". `durationMs` omitted means "until cleared".
 *
 * | kind       | effect on the value `v` at time `t` (from `at`, for `durationMs`)           |
 * |------------|------------------------------------------------------------------------------|
 * | `step`     | `v * factor + offset` (a level change; factor defaults to 1, offset to 0)    |
 * | `drift`    | `v + slopePerHour * (t - at) / 1 h` (a slope change)                         |
 * | `spike`    | `v * factor + offset` on the first sample at or after `at` only (transient)  |
 * | `flatline` | a constant: `value`, or the last value produced before the fault began       |
 * | `dropout`  | no reading at all                                                            |
 */
export type Fault =
  | { kind: 'step'; at?: number; durationMs?: number; factor?: number; offset?: number }
  | { kind: 'drift'; at?: number; durationMs?: number; slopePerHour: number }
  | { kind: 'spike'; at?: number; factor?: number; offset?: number }
  | { kind: 'flatline'; at?: number; durationMs?: number; value?: number }
  | { kind: 'dropout'; at?: number; durationMs: number };

export type FaultKind = Fault['kind'];
export const FAULT_KINDS: readonly FaultKind[] = ['step', 'drift', 'spike', 'flatline', 'dropout'];

const HOUR_MS = 3_600_000;

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Checks a fault from untrusted input (a demo script, JSON). Returns null when it is valid,
 * else a message naming the field at fault.
 * @example validateFault({ kind: 'drift' }) // 'drift fault needs slopePerHour (a finite number, units per hour)'
 */
export function validateFault(fault: unknown): string | null {
  if (typeof fault !== 'object' || fault === null) return 'a fault must be an object with a kind';
  const f = fault as Record<string, unknown>;
  if (!(FAULT_KINDS as readonly unknown[]).includes(f.kind))
    return `fault kind must be one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(f.kind)}`;
  if (f.at !== undefined && !isNum(f.at))
    return 'fault `at` must be a time in ms since epoch (or omitted for "from the next sample")';
  if (f.durationMs !== undefined && (!isNum(f.durationMs) || f.durationMs <= 0))
    return 'fault `durationMs` must be a number > 0 (or omitted for "until cleared")';
  for (const k of ['factor', 'offset', 'value', 'slopePerHour']) {
    if (f[k] !== undefined && !isNum(f[k])) return `fault \`${k}\` must be a finite number`;
  }
  switch (f.kind) {
    case 'step':
    case 'spike':
      if (f.factor === undefined && f.offset === undefined)
        return `${f.kind as string} fault needs factor and/or offset`;
      if (f.kind === 'spike' && f.durationMs !== undefined) return 'a spike lasts one sample; it takes no durationMs';
      return null;
    case 'drift':
      return f.slopePerHour === undefined ? 'drift fault needs slopePerHour (a finite number, units per hour)' : null;
    case 'dropout':
      return f.durationMs === undefined ? 'dropout fault needs durationMs (how long no readings come, ms)' : null;
    default:
      return null;
  }
}

/** A fault attached to one metric, with the little state it needs while it runs. */
export class ActiveFault {
  /** When it began; set on the first sample if the fault gave no `at`. */
  private start: number | undefined;
  /** The constant of a flatline, captured when it begins. */
  private held: number | undefined;
  private spent = false;

  constructor(readonly fault: Fault) {
    this.start = fault.at;
  }

  /** True once the fault can no longer change anything at or after `t`. */
  isOver(t: number): boolean {
    if (this.spent) return true;
    if (this.start === undefined || !('durationMs' in this.fault) || this.fault.durationMs === undefined) return false;
    return t >= this.start + this.fault.durationMs;
  }

  /**
   * The value at time `t` once this fault acts on `value`; null means "no reading".
   * `last` is the last value the metric produced (for a flatline without its own value).
   * @example new ActiveFault({ kind: 'step', at: 0, factor: 2, offset: 1 }).apply(10, 5, undefined) // 11
   */
  apply(t: number, value: number, last: number | undefined): number | null {
    if (this.start === undefined) this.start = t;
    if (t < this.start || this.isOver(t)) return value;
    const f = this.fault;
    switch (f.kind) {
      case 'step':
        return value * (f.factor ?? 1) + (f.offset ?? 0);
      case 'drift':
        return value + (f.slopePerHour * (t - this.start)) / HOUR_MS;
      case 'spike':
        this.spent = true;
        return value * (f.factor ?? 1) + (f.offset ?? 0);
      case 'flatline':
        this.held ??= f.value ?? last ?? value;
        return this.held;
      case 'dropout':
        return null;
    }
  }
}
