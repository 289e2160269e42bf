/**
 * The acknowledgements of one MQTT connection, kept in the order its PUBLISH packets came while
 * many messages are being stored at once.
 *
 * A QoS 1 message's PUBACK goes only once its own store write settled and every earlier message's
 * PUBACK went: a client MUST send PUBACK packets in the order in which the corresponding PUBLISH
 * packets were received [MQTT-4.6.0-2], and a PUBACK before the store accepted would lose the
 * message in a crash. At most `limit` messages, or `maxBytes` of their payloads, are in flight:
 * past either, `whenRoom` holds the caller (the MQTT client stops reading its socket, so the
 * broker keeps the rest).
 *
 * @example
 * const acks = new OrderedAcks((id) => sendPuback(id), 2);
 * acks.add(1, slowWrite); acks.add(2, Promise.resolve()); // 2 is stored first, but waits for 1
 * acks.whenRoom(readNext); // held: 2 in flight
 * // slowWrite resolves → PUBACK 1, PUBACK 2, then readNext()
 */
export class OrderedAcks {
  /** Messages not yet acknowledged, oldest first, from `head` on. */
  private entries: Entry[] = [];
  private head = 0;
  private bytes = 0;
  private waiting: Array<() => void> = [];
  private idle: Array<() => void> = [];
  /** Bumped when the connection goes: what was pending then is never acknowledged on the next one. */
  private generation = 0;

  constructor(
    private readonly sendAck: (messageId: number) => void,
    /** Messages in flight (received, not yet acknowledged) before `whenRoom` holds its caller. */
    readonly limit = DEFAULT_ACK_WINDOW,
    /** Payload bytes in flight before `whenRoom` holds its caller (one message always passes). */
    readonly maxBytes = DEFAULT_ACK_WINDOW_BYTES,
  ) {
    if (!(Number.isInteger(limit) && limit >= 1))
      throw new RangeError(`the ack window must be a whole number >= 1, got ${limit}`);
    if (!(maxBytes > 0)) throw new RangeError(`the ack window's bytes must be > 0, got ${maxBytes}`);
  }

  /** Messages received and not yet acknowledged (or, for QoS 0, not yet settled). */
  get inFlight(): number {
    return this.entries.length - this.head;
  }

  /**
   * A message arrived. Its PUBACK (when it has a `messageId`: QoS 1) goes once `settled` resolved
   * and every earlier one went. If `settled` rejects, nothing from it on is acknowledged until
   * {@link reset}: the caller drops the connection so that the broker redelivers them.
   */
  add(messageId: number | undefined, settled: Promise<void>, bytes = 0): void {
    const entry: Entry = { messageId, bytes, done: false, generation: this.generation };
    this.entries.push(entry);
    this.bytes += bytes;
    settled.then(() => {
      entry.done = true;
      if (entry.generation === this.generation) this.drain();
    }, ignore);
  }

  /** Calls `fn` now if fewer than `limit` messages are in flight, else once they are. */
  whenRoom(fn: () => void): void {
    if (this.hasRoom()) fn();
    else this.waiting.push(fn);
  }

  /**
   * Resolves once nothing is in flight (every message acknowledged, or dropped by {@link reset}):
   * a graceful close waits for it, so that what was stored is acknowledged and not redelivered.
   */
  settledAll(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Fewer than `limit` messages (and `maxBytes` of payload) in flight: `whenRoom` would call at once. */
  hasRoom(): boolean {
    return this.inFlight < this.limit && (this.bytes < this.maxBytes || this.inFlight === 0);
  }

  /**
   * The connection went: nothing pending is acknowledged, on it or on the next one (the broker
   * redelivers it in the resumed session), and callers held by `whenRoom` are dropped (they
   * belonged to the gone connection's reader).
   */
  reset(): void {
    this.generation++;
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
    this.waiting = [];
    this.wakeIdle();
  }

  private wakeIdle(): void {
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }

  private drain(): void {
    const entries = this.entries;
    let head = this.head;
    while (head < entries.length && entries[head]!.done) {
      const { messageId: id, bytes } = entries[head]!;
      this.bytes -= bytes;
      head++;
      if (id !== undefined) this.sendAck(id);
    }
    if (head === entries.length) {
      entries.length = 0; // keeps its storage for the next messages
      head = 0;
    } else if (head > 4096 && head * 2 > entries.length) {
      this.entries = entries.slice(head);
      head = 0;
    }
    this.head = head;
    while (this.waiting.length > 0 && this.hasRoom()) this.waiting.shift()!();
    if (this.inFlight === 0 && this.idle.length > 0) this.wakeIdle();
  }
}

const ignore = (): void => undefined;

interface Entry {
  messageId: number | undefined;
  bytes: number;
  done: boolean;
  generation: number;
}

/** Messages one ingest connection stores at once before it stops reading (see {@link OrderedAcks}). */
export const DEFAULT_ACK_WINDOW = 2000;
/** Payload bytes one ingest connection holds in flight at most: 32 MiB (2,000 messages of 256 KiB would be 512). */
export const DEFAULT_ACK_WINDOW_BYTES = 32 * 1024 * 1024;
