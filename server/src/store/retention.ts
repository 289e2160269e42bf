// How long each resolution of the time series is kept, and the timer that applies it.
import type { StoreLogger } from './logger.js';
import { silentLogger } from './logger.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Ages (ms before `now`) after which data is deleted, per resolution: raw points, the 1-minute tier,
 * the 1-hour tier (omitted = kept forever). Each must be at least as long as the finer one before
 * it, so a coarser answer never disappears while a finer one is still there.
 */
export interface RetentionPolicy {
  rawMs: number;
  minuteMs: number;
  hourMs?: number;
}

/** What one retention pass deleted: raw points and tier buckets. */
export interface RetentionResult {
  raw: number;
  minute: number;
  hour: number;
}

/** Raw points 7 days, 1-minute aggregates 90 days, 1-hour aggregates forever. */
export const DEFAULT_RETENTION_POLICY: Readonly<RetentionPolicy> = Object.freeze({
  rawMs: 7 * DAY_MS,
  minuteMs: 90 * DAY_MS,
});

/** How often the server should apply retention: hourly (a pass deletes about an hour of data). */
export const DEFAULT_RETENTION_INTERVAL_MS = HOUR_MS;

function positiveAge(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new RangeError(`retention ${name} must be a positive number of ms (got ${String(v)})`);
  }
  return v;
}

/**
 * Checks a policy, throwing a RangeError that names the field to fix.
 *
 * Example: checkRetentionPolicy({ rawMs: 1, minuteMs: 2 }) passes;
 * checkRetentionPolicy({ rawMs: 2, minuteMs: 1 }) throws (minute data would vanish before raw).
 */
export function checkRetentionPolicy(policy: RetentionPolicy): void {
  if (policy === null || typeof policy !== 'object')
    throw new RangeError('retention policy must be an object { rawMs, minuteMs, hourMs? }');
  const raw = positiveAge('rawMs', policy.rawMs);
  const minute = positiveAge('minuteMs', policy.minuteMs);
  if (minute < raw) throw new RangeError(`retention minuteMs (${minute}) must be at least rawMs (${raw})`);
  if (policy.hourMs !== undefined) {
    const hour = positiveAge('hourMs', policy.hourMs);
    if (hour < minute)
      throw new RangeError(
        `retention hourMs (${hour}) must be at least minuteMs (${minute}); omit it to keep hours forever`,
      );
  }
}

/** Anything that can apply a retention policy (every TimeSeriesStore). */
export interface RetentionTarget {
  applyRetention(policy: RetentionPolicy, now: number): Promise<RetentionResult>;
}

export interface RetentionScheduleOptions {
  policy?: RetentionPolicy;
  /** Between passes, ms (default hourly). The first pass runs at once. */
  intervalMs?: number;
  now?: () => number;
  logger?: StoreLogger;
}

/** A running retention timer; stop() cancels it and waits for a pass in progress. */
export interface RetentionSchedule {
  stop(): Promise<void>;
}

/**
 * Applies `policy` to `store` now and then every `intervalMs` (timer unref'd: it never keeps the
 * process alive). A pass never overlaps the previous one; a failed pass is logged and retried at
 * the next tick. Call stop() before closing the store.
 */
export function scheduleRetention(store: RetentionTarget, opts: RetentionScheduleOptions = {}): RetentionSchedule {
  const policy = opts.policy ?? DEFAULT_RETENTION_POLICY;
  checkRetentionPolicy(policy);
  const intervalMs = opts.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0)
    throw new RangeError(`retention intervalMs must be positive (got ${intervalMs})`);
  const now = opts.now ?? Date.now;
  const log = opts.logger ?? silentLogger;
  let running: Promise<void> | null = null;
  let stopped = false;
  const pass = (): void => {
    if (running !== null || stopped) return;
    running = store
      .applyRetention(policy, now())
      .then((r) => {
        if (r.raw + r.minute + r.hour > 0) log.info({ retention: r }, 'retention deleted old time-series data');
      })
      .catch((err: unknown) => log.warn({ err }, 'retention pass failed; retrying at the next interval'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(pass, intervalMs);
  timer.unref();
  pass();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running !== null) await running;
    },
  };
}
