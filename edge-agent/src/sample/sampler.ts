import { METRIC_PATTERN, type Reading } from '@opsroom/models';
import type { SourceStatus } from '../health/status-file.js';
import type { Logger } from '../log/logger.js';
import type { Outbox } from '../outbox/outbox.js';
import { isFaultable, type FaultableSource, type Source } from '../sources/source.js';

/** One source and how often it is sampled. */
export interface SamplerSlot {
  /** The source's name in the config (`sources[].name`), as the status file reports it. */
  name: string;
  source: Source;
  intervalMs: number;
}

export interface SamplerOptions {
  slots: readonly SamplerSlot[];
  outbox: Outbox;
  deviceId: string;
  logger: Logger;
  /** The clock that stamps a sample (ms since epoch). */
  now: () => number;
  /** Called after readings went into the outbox (the publisher drains it). */
  onAccepted: () => void;
}

/** The sampler's counters since it was made. */
export interface SamplerCounts {
  /** Readings the sources produced and the outbox took. */
  sampled: number;
  /** Readings refused before the outbox (non-finite values, bad metric ids, an outbox that failed). */
  rejected: number;
  /** Samples that failed (a sensor unreachable, a command that failed, …). */
  sourceErrors: number;
}

interface Slot {
  readonly source: Source;
  readonly status: SourceStatus;
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
}

/**
 * The first stage of the agent: samples each source on its own interval and appends what is good
 * to the outbox. A slow source never overlaps itself (a tick while its previous sample is pending
 * is counted as skipped); a failing one is logged once per distinct problem and retried on its
 * next interval; readings with bad metric ids or non-finite values are refused and counted.
 * Owns its timers (start/stop) and its sources (close).
 */
export class Sampler {
  private readonly slots: Slot[];
  private readonly counts: SamplerCounts = { sampled: 0, rejected: 0, sourceErrors: 0 };
  private stopped = false;

  constructor(private readonly opts: SamplerOptions) {
    this.slots = opts.slots.map((s) => ({
      source: s.source,
      status: {
        name: s.name,
        id: s.source.id,
        intervalMs: s.intervalMs,
        readings: 0,
        errors: 0,
        lastError: null,
        lastSampleAt: null,
        skipped: 0,
      },
      timer: undefined,
      busy: false,
    }));
  }

  /** Samples every source on its interval from now on. */
  start(): void {
    this.slots.forEach((slot, i) => (slot.timer = setInterval(() => this.tick(i), slot.status.intervalMs)));
  }

  /** Stops sampling; a sample still pending is dropped when it settles. Idempotent. */
  stop(): void {
    this.stopped = true;
    for (const slot of this.slots) clearInterval(slot.timer);
  }

  /** Releases the sources (ports, sockets). */
  close(): void {
    for (const { source } of this.slots) {
      try {
        source.close?.();
      } catch (err) {
        this.opts.logger.warn({ source: source.id, err: (err as Error).message }, 'could not close a source');
      }
    }
  }

  /** One sample of slot `i` now (the timers call it; tests may too). */
  tick(i: number): void {
    const slot = this.slots[i];
    if (!slot || this.stopped) return;
    if (slot.busy) {
      slot.status.skipped++;
      return;
    }
    const at = this.opts.now();
    let result: Reading[] | Promise<Reading[]>;
    try {
      result = slot.source.sample(at);
    } catch (err) {
      this.failed(slot, err);
      return;
    }
    if (Array.isArray(result)) {
      this.accept(slot, result, at);
      return;
    }
    slot.busy = true;
    result.then(
      (rs) => {
        slot.busy = false;
        if (!this.stopped) this.accept(slot, rs, at);
      },
      (err: unknown) => {
        slot.busy = false;
        if (!this.stopped) this.failed(slot, err);
      },
    );
  }

  counters(): SamplerCounts {
    return { ...this.counts };
  }

  /** Per-source counters (copies). */
  statuses(): SourceStatus[] {
    return this.slots.map((s) => ({ ...s.status }));
  }

  /** `id every N ms` per source, for the start-up log line. */
  describe(): string[] {
    return this.slots.map((s) => `${s.source.id} every ${s.status.intervalMs} ms`);
  }

  /** The simulated source that produces `metric`, else the first simulated one, else none. */
  faultable(metric: string): FaultableSource | undefined {
    const sources = this.slots.map((s) => s.source).filter(isFaultable);
    return sources.find((s) => s.metrics.includes(metric)) ?? sources[0];
  }

  /** Every simulated source. */
  faultables(): FaultableSource[] {
    return this.slots.map((s) => s.source).filter(isFaultable);
  }

  private accept(slot: Slot, readings: Reading[], at: number): void {
    const { logger: log, outbox } = this.opts;
    const good = readings.filter(
      (r) => METRIC_PATTERN.test(r.metric) && Number.isFinite(r.value) && Number.isFinite(r.ts),
    );
    if (good.length < readings.length) {
      this.counts.rejected += readings.length - good.length;
      log.debug(
        { source: slot.source.id, rejected: readings.length - good.length },
        'readings with bad metric ids or non-finite values refused',
      );
    }
    slot.status.lastSampleAt = at;
    if (good.length === 0) return;
    try {
      outbox.append(good);
    } catch (err) {
      this.counts.rejected += good.length;
      log.error(
        { deviceId: this.opts.deviceId, err: (err as Error).message },
        'could not store readings in the outbox; they are lost',
      );
      return;
    }
    this.counts.sampled += good.length;
    slot.status.readings += good.length;
    try {
      slot.source.checkpoint?.(at);
    } catch (err) {
      log.warn(
        { source: slot.source.id, err: (err as Error).message },
        'could not save the source position; a restart may repeat readings',
      );
    }
    this.opts.onAccepted();
  }

  private failed(slot: Slot, err: unknown): void {
    this.counts.sourceErrors++;
    slot.status.errors++;
    const message = (err as Error | undefined)?.message ?? String(err);
    // Say each distinct problem once, not on every interval.
    if (message !== slot.status.lastError)
      this.opts.logger.error(
        { source: slot.source.id, err: message },
        'source failed to sample; retrying on the next interval',
      );
    slot.status.lastError = message;
  }
}
