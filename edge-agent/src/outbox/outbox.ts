import type { Reading } from '@opsroom/models';

/**
 * The store-and-forward buffer between sampling and publishing: readings go in as they are
 * sampled and leave only once the broker has acknowledged them, so a broker or network outage
 * loses nothing until the bound is reached.
 *
 * Order is first-in first-out. Each stored reading gets a sequence number that only grows
 * (never reused, even after deletion), so acking "everything up to seq N" is exact even when
 * overflow removed part of the batch meanwhile. Delivery is at-least-once: a batch published
 * but not yet acked when the process dies is sent again after restart.
 *
 * Synchronous on purpose: the buffer is local (memory or an embedded SQLite file) and the
 * sampling loop must not interleave with itself.
 */
export interface Outbox {
  /** Most readings held; beyond it `overflow` applies. */
  readonly maxReadings: number;
  /** What happens when an append would exceed `maxReadings`. Only 'drop-oldest' today. */
  readonly overflow: OverflowPolicy;
  /**
   * Readings removed by overflow: since the store was created for a disk outbox (the count is
   * stored with the readings, so it survives restarts), since it was opened for a memory one.
   */
  readonly dropped: number;
  /** Appends readings durably, in the given order. */
  append(readings: readonly Reading[]): void;
  /** The oldest readings, at most `max`, in order; does not remove them. Empty batch when empty. */
  peek(max: number): OutboxBatch;
  /** Removes every reading up to the batch's last one (they were delivered); returns how many were removed. */
  ack(batch: OutboxBatch): number;
  /** Readings held now. */
  depth(): number;
  /** Releases the store; later calls throw. Idempotent. */
  close(): void;
}

export type OverflowPolicy = 'drop-oldest';

export interface OutboxBatch {
  readonly readings: readonly Reading[];
  /** Sequence number of the last reading in the batch (0 for an empty batch); what `ack` removes up to. */
  readonly lastSeq: number;
}

export interface OutboxOptions {
  /** Most readings held (default 1,000,000: about 2 days of 6 metrics at 1 Hz). */
  maxReadings?: number;
  overflow?: OverflowPolicy;
}

export const DEFAULT_OUTBOX_MAX_READINGS = 1_000_000;

export const EMPTY_BATCH: OutboxBatch = Object.freeze({
  readings: Object.freeze([]) as readonly Reading[],
  lastSeq: 0,
});

/** Checks the options every implementation takes; throws an Error naming the bad one. */
export function resolveOutboxOptions(opts: OutboxOptions = {}): { maxReadings: number; overflow: OverflowPolicy } {
  const maxReadings = opts.maxReadings ?? DEFAULT_OUTBOX_MAX_READINGS;
  if (!Number.isInteger(maxReadings) || maxReadings < 1)
    throw new Error(`outbox maxReadings must be an integer >= 1, got ${maxReadings}`);
  const overflow = opts.overflow ?? 'drop-oldest';
  if (overflow !== 'drop-oldest')
    throw new Error(`outbox overflow policy must be 'drop-oldest', got ${JSON.stringify(overflow)}`);
  return { maxReadings, overflow };
}

export class OutboxClosedError extends Error {
  constructor(what: string) {
    super(`the outbox is closed; ${what} is not possible. Open a new outbox (the agent does this on start).`);
    this.name = 'OutboxClosedError';
  }
}
