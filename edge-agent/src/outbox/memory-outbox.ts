import type { Reading } from '@opsroom/models';
import {
  EMPTY_BATCH,
  OutboxClosedError,
  resolveOutboxOptions,
  type Outbox,
  type OutboxBatch,
  type OutboxOptions,
  type OverflowPolicy,
} from './outbox.js';

interface Entry {
  seq: number;
  reading: Reading;
}

/**
 * An outbox in process memory: survives a broker outage, not a restart. For tests, demos and
 * devices without a writable disk. A ring-free array with a moving head keeps append and ack
 * O(1) amortised.
 */
export class MemoryOutbox implements Outbox {
  readonly maxReadings: number;
  readonly overflow: OverflowPolicy;
  private entries: Entry[] = [];
  private head = 0;
  private nextSeq = 1;
  private droppedCount = 0;
  private closed = false;

  constructor(opts: OutboxOptions = {}) {
    ({ maxReadings: this.maxReadings, overflow: this.overflow } = resolveOutboxOptions(opts));
  }

  get dropped(): number {
    return this.droppedCount;
  }

  append(readings: readonly Reading[]): void {
    this.check('append');
    for (const r of readings)
      this.entries.push({ seq: this.nextSeq++, reading: { metric: r.metric, value: r.value, ts: r.ts } });
    const excess = this.depth() - this.maxReadings;
    if (excess > 0) {
      this.head += excess;
      this.droppedCount += excess;
    }
    this.compact();
  }

  peek(max: number): OutboxBatch {
    this.check('peek');
    const end = Math.min(this.entries.length, this.head + Math.max(0, Math.floor(max)));
    if (end <= this.head) return EMPTY_BATCH;
    const slice = this.entries.slice(this.head, end);
    return { readings: slice.map((e) => e.reading), lastSeq: slice[slice.length - 1]!.seq };
  }

  ack(batch: OutboxBatch): number {
    this.check('ack');
    let n = 0;
    while (this.head < this.entries.length && this.entries[this.head]!.seq <= batch.lastSeq) {
      this.head++;
      n++;
    }
    this.compact();
    return n;
  }

  depth(): number {
    return this.entries.length - this.head;
  }

  close(): void {
    this.closed = true;
    this.entries = [];
    this.head = 0;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  private check(what: string): void {
    if (this.closed) throw new OutboxClosedError(what);
  }
}
