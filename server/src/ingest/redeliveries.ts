/**
 * What one connection handed to the pipeline and did not acknowledge yet, so that the broker's
 * redelivery of it on the next connection is not ingested twice.
 *
 * When the connection to the broker goes, every message received and not yet acknowledged is
 * redelivered on the resumed session, with its packet identifier and DUP set [MQTT-4.4.0-1,
 * MQTT-3.3.1-1]. Up to the ack window of them may already be stored (or being stored): ingesting
 * them again would replay them to the live model and the detectors (the store ignores duplicates,
 * the detectors would not). A redelivery whose identifier, topic and bytes match one the gone
 * connection had is instead acknowledged when that earlier ingest settles, or ingested anew if
 * that one failed.
 *
 * @example
 * const r = new Redeliveries();
 * r.received(7, 'opsroom/v1/devices/d/readings', bytes, storing); // connection 1
 * r.connectionLost();
 * r.take(7, 'opsroom/v1/devices/d/readings', bytes) // → storing: do not ingest again
 */
export class Redeliveries {
  private current = new Map<number, Held>();
  /**
   * Acknowledged on this connection, the newest kept: a PUBACK still on its way when the
   * connection (or the broker) went is lost with it, and the broker sends that message again.
   */
  private acked = new Map<number, Held>();
  private ackedBytes = 0;
  private previous = new Map<number, Held>();
  private previousBytes = 0;

  constructor(
    /** Messages of gone connections kept for matching, newest kept (a few ack windows). */
    private readonly keep = 8192,
    /** Their payload bytes kept at most (two ack windows' worth). */
    private readonly keepBytes = 64 * 1024 * 1024,
    /** Acknowledged messages of the live connection kept, newest kept (one ack window). */
    private readonly keepAcked = 2000,
    private readonly keepAckedBytes = 32 * 1024 * 1024,
  ) {}

  /** A QoS 1 message went to the pipeline on this connection; `settled` is its ingest. */
  received(messageId: number, topic: string, payload: Uint8Array, settled: Promise<void>): void {
    this.dropAcked(messageId); // the broker reuses an identifier once its PUBACK arrived
    this.current.set(messageId, { topic, payload, settled });
  }

  /** Its PUBACK went: unless that PUBACK is lost with the connection, the broker will not send it again. */
  acknowledged(messageId: number): void {
    const held = this.current.get(messageId);
    if (held === undefined) return;
    this.current.delete(messageId);
    this.acked.set(messageId, held);
    this.ackedBytes += held.payload.length;
    for (const id of this.acked.keys()) {
      if (this.acked.size <= this.keepAcked && this.ackedBytes <= this.keepAckedBytes) break;
      this.dropAcked(id);
    }
  }

  private dropAcked(id: number): void {
    const held = this.acked.get(id);
    if (held === undefined) return;
    this.acked.delete(id);
    this.ackedBytes -= held.payload.length;
  }

  /** The connection went: what it held unacknowledged may come again on the next one. */
  connectionLost(): void {
    // Kept across several losses in a row: every failed reconnection attempt is a loss too, and
    // the broker redelivers on the first connection that holds.
    // The acknowledged first, then the unacknowledged (newer): a PUBACK in flight may be lost too.
    for (const [id, held] of [...this.acked, ...this.current]) {
      this.forget(id); // re-inserted as the newest
      this.previous.set(id, held);
      this.previousBytes += held.payload.length;
    }
    this.current = new Map();
    this.acked = new Map();
    this.ackedBytes = 0;
    for (const id of this.previous.keys()) {
      if (this.previous.size <= this.keep && this.previousBytes <= this.keepBytes) break;
      this.forget(id);
    }
  }

  private forget(id: number): void {
    const held = this.previous.get(id);
    if (held === undefined) return;
    this.previous.delete(id);
    this.previousBytes -= held.payload.length;
  }

  /**
   * A redelivered message (DUP set): the earlier ingest of the same message (identifier, topic
   * and bytes), if the gone connection had one, else undefined (ingest it).
   */
  take(messageId: number, topic: string, payload: Uint8Array): Promise<void> | undefined {
    const held = this.previous.get(messageId);
    if (held === undefined || held.topic !== topic || !sameBytes(held.payload, payload)) return undefined;
    this.forget(messageId);
    return held.settled;
  }
}

interface Held {
  topic: string;
  payload: Uint8Array;
  settled: Promise<void>;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
