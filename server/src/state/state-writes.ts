import { OpsError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Counter } from '../metrics/registry.js';

/** Seconds a caller is told to wait (`Retry-After`) after a save failed. */
export const STATE_RETRY_AFTER_MS = 5_000;
/** While saves keep failing, one log line per operation per this many ms (each failure is counted). */
export const STATE_FAILURE_LOG_EVERY_MS = 60_000;

export interface StateWritesOptions {
  now: () => number;
  logger: Logger;
  /** opsroom_state_save_failures_total, by operation. */
  failures: Counter;
  /** What /healthz names when all is well (e.g. the file). */
  describe?: () => string;
}

interface Failing {
  since: number;
  count: number;
  operation: string;
  reason: string;
}

/**
 * Every save to the state database goes through {@link save}: a failure (disk full, I/O error,
 * locked file) is logged, counted by operation, shown on `/healthz` as `state` failing until a
 * later save succeeds, and thrown as `OPS_ERR_STATE_UNAVAILABLE` (503, with Retry-After). Callers
 * change nothing in memory before their save returned, so the API, the events and the saved state
 * agree; timers catch the error and try again on their next run.
 */
export class StateWrites {
  private failing: Failing | null = null;
  private readonly lastLogged = new Map<string, number>();

  constructor(private readonly opts: StateWritesOptions) {}

  /** Runs `fn` (the save); see the class comment for what a failure does. */
  save<T>(operation: string, fn: () => T): T {
    let out: T;
    try {
      out = fn();
    } catch (err) {
      throw this.failed(operation, err);
    }
    if (this.failing) {
      const f = this.failing;
      this.failing = null;
      this.lastLogged.clear();
      const since = new Date(f.since).toISOString();
      this.opts.logger.info({ operation, failures: f.count, since }, 'state database: saving works again');
    }
    return out;
  }

  /** True while the latest save failed. */
  get degraded(): boolean {
    return this.failing !== null;
  }

  /** The `state` component of /healthz. */
  health(): { ok: boolean; detail: string } {
    const f = this.failing;
    const what = this.opts.describe?.() ?? 'state database';
    if (!f) return { ok: true, detail: what };
    return {
      ok: false,
      detail:
        `${what}: saves failing since ${new Date(f.since).toISOString()} (${f.count} failed, ` +
        `last: ${f.operation}: ${f.reason}); actions answer 503, timers retry`,
    };
  }

  private failed(operation: string, err: unknown): OpsError {
    const now = this.opts.now();
    const reason = describeError(err);
    this.opts.failures.inc({ operation });
    this.failing = { since: this.failing?.since ?? now, count: (this.failing?.count ?? 0) + 1, operation, reason };
    const last = this.lastLogged.get(operation);
    if (last === undefined || now - last >= STATE_FAILURE_LOG_EVERY_MS) {
      this.lastLogged.set(operation, now);
      const failures = this.failing.count;
      this.opts.logger.error({ err, operation, failures }, 'state database: a save failed; nothing was changed');
    }
    return new OpsError('OPS_ERR_STATE_UNAVAILABLE', `${operation} not saved (${reason})`, STATE_RETRY_AFTER_MS);
  }
}

/** `SQLITE_FULL: database or disk is full`, or the message; at most 200 characters. */
function describeError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const text = typeof e?.code === 'string' && !message.includes(e.code) ? `${e.code}: ${message}` : message;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
