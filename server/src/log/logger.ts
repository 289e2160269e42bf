import type { Logger } from '@opsroom/models';

// The Logger surface and the silent default are shared by every package (models/src/logger.ts).
export { silentLogger, type Logger } from '@opsroom/models';

/**
 * Logs at most `perWindow` messages per key per window and counts the rest, so hostile input
 * cannot flood the log.
 */
export class RateLimitedLog {
  private readonly seen = new Map<string, { windowStart: number; count: number; suppressed: number }>();
  constructor(
    private readonly log: Logger,
    private readonly perWindow = 5,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}
  warn(key: string, obj: Record<string, unknown>, msg: string): void {
    const t = this.now();
    let s = this.seen.get(key);
    if (!s || t - s.windowStart >= this.windowMs) {
      if (s && s.suppressed > 0)
        this.log.warn({ key, suppressed: s.suppressed }, 'suppressed similar messages in the last window');
      s = { windowStart: t, count: 0, suppressed: 0 };
      this.seen.set(key, s);
      if (this.seen.size > 10_000) this.seen.clear();
    }
    if (s.count < this.perWindow) {
      s.count++;
      this.log.warn(obj, msg);
    } else s.suppressed++;
  }
}
