/**
 * Counts authentication attempts per key (an account, an address, a device id…) in fixed windows,
 * **before** the expensive check: an attempt takes a slot on every key it concerns, or on none if
 * any of them is full, so a burst of parallel attempts cannot all slip past the limit while their
 * hashes are being computed. A success gives its slots back; a failure keeps them until the window
 * ends.
 *
 * The table is bounded: when full, the oldest keys below their limit are dropped. It is never wiped
 * whole, and a key at its limit stays until its window ends, so spraying new names or addresses
 * cannot lift a block.
 *
 * @example
 *   const limiter = new AttemptLimiter({ now: Date.now });
 *   const attempt = limiter.tryAcquire([{ key: 'acct:boss', max: 10, windowMs: 900_000 }]);
 *   if (!attempt) throw new Error('429');     // limit reached: no hashing at all
 *   (await verify()) ? attempt.succeeded() : attempt.failed();
 */
export interface LimitRule {
  /** What is counted, e.g. `acct:boss` or `addr:10.0.0.1`. */
  key: string;
  /** Attempts allowed per window (failures, plus attempts still being checked). */
  max: number;
  windowMs: number;
}

export interface Attempt {
  /** The check passed: give the slots back; `reset` keys also forget their earlier failures. */
  succeeded(reset?: readonly string[]): void;
  /** The check failed: the slots stay taken until their windows end. */
  failed(): void;
}

export interface Refusal {
  /** The key that was full. */
  key: string;
  /** When its window ends, ms from now. */
  retryAfterMs: number;
}

interface Counter {
  count: number;
  max: number;
  /** Start of the window, ms. */
  since: number;
  windowMs: number;
}

export interface AttemptLimiterOptions {
  now: () => number;
  /** Most keys remembered at once (default 100,000: a few MB). */
  maxEntries?: number;
}

export class AttemptLimiter {
  /** Insertion order is window-start order: a new window is deleted and set again. */
  private readonly counters = new Map<string, Counter>();
  private readonly maxEntries: number;
  /** The last refusal, for callers that want to say when to retry. */
  lastRefusal: Refusal | null = null;

  constructor(private readonly opts: AttemptLimiterOptions) {
    this.maxEntries = opts.maxEntries ?? 100_000;
  }

  /** Takes one slot on every rule's key, or none (and returns null) if any key is at its limit. */
  tryAcquire(rules: readonly LimitRule[]): Attempt | null {
    const now = this.opts.now();
    for (const r of rules) {
      const c = this.current(r.key, now);
      if (c && c.count >= r.max) {
        this.lastRefusal = { key: r.key, retryAfterMs: Math.max(0, c.since + c.windowMs - now) };
        return null;
      }
    }
    const taken: Array<{ key: string; counter: Counter }> = [];
    for (const r of rules) {
      let c = this.current(r.key, now);
      if (!c) {
        c = { count: 0, max: r.max, since: now, windowMs: r.windowMs };
        this.insert(r.key, c, now);
      }
      c.count++;
      taken.push({ key: r.key, counter: c });
    }
    let settled = false;
    return {
      succeeded: (reset = []) => {
        if (settled) return;
        settled = true;
        for (const { key, counter } of taken) {
          if (reset.includes(key)) {
            if (this.counters.get(key) === counter) this.counters.delete(key);
          } else if (counter.count > 0) {
            counter.count--;
          }
        }
      },
      failed: () => {
        settled = true;
      },
    };
  }

  /** Attempts counted on `key` in its current window. */
  count(key: string): number {
    return this.current(key, this.opts.now())?.count ?? 0;
  }

  get size(): number {
    return this.counters.size;
  }

  private current(key: string, now: number): Counter | undefined {
    const c = this.counters.get(key);
    if (c && now - c.since >= c.windowMs) {
      this.counters.delete(key);
      return undefined;
    }
    return c;
  }

  private insert(key: string, c: Counter, now: number): void {
    if (this.counters.size >= this.maxEntries) this.evict(now);
    this.counters.set(key, c);
  }

  /**
   * Frees about 1 % of the table, oldest first, sparing the keys that are at their limit (those
   * are what stops an attacker; filling the table with blocked keys takes max × maxEntries failed
   * checks inside one window). Only a table of nothing but blocked keys loses its oldest.
   */
  private evict(now: number): void {
    const target = this.maxEntries - Math.max(1, Math.floor(this.maxEntries / 100));
    for (const [k, c] of this.counters) {
      if (this.counters.size <= target) return;
      if (now - c.since >= c.windowMs || c.count < c.max) this.counters.delete(k);
    }
    for (const k of this.counters.keys()) {
      if (this.counters.size < this.maxEntries) return;
      this.counters.delete(k);
    }
  }
}
