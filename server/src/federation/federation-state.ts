import type { StateDatabase } from '../state/state-db.js';

/** One message waiting in the outbox for its peer's acknowledgement. */
export interface OutboxRow {
  /** The envelope's `seq`: increasing per sender (one sequence for all its peers, so a peer sees gaps, never repeats). */
  seq: number;
  peer: string;
  kind: string;
  body: unknown;
  created: number;
}

/** The envelope body of an outbox row: its kind beside the fields it was queued with. */
export function outboxBody(row: OutboxRow): Record<string, unknown> {
  return { kind: row.kind, ...(row.body as object) };
}

/** Which side of a federated alert this server is: it `handed` it up to `peer`, or holds the `mirror` `peer` sent. */
export type AlertLinkRole = 'handed' | 'mirror';

/**
 * The federation's durable state in state.db (tables `fed_*`, state/state-db.ts): the outbox (what this server still has
 * to deliver to each peer, in order), the inbox's high-water mark per peer (what it has applied, so a message sent
 * twice is applied once), named cursors (how far the roll-ups sent up have got) and the links between a handed-off
 * alert and its peer.
 *
 * Every method is one statement; callers that must change several things at once (a local change and its outbox
 * row) run them inside {@link transaction} — or inside the alert repository's own transaction, which is the same
 * database connection.
 */
export class FederationState {
  private readonly insertRow;
  private readonly selectPending;
  private readonly deleteRow;
  private readonly deleteUpTo;
  private readonly countPending;
  private readonly countAll;
  private readonly selectInbox;
  private readonly upsertInbox;
  private readonly selectCursor;
  private readonly upsertCursor;
  private readonly selectLink;
  private readonly insertLink;

  constructor(
    private readonly db: StateDatabase,
    private readonly now: () => number,
  ) {
    this.insertRow = db.prepare('INSERT INTO fed_outbox (peer, kind, body, created) VALUES (?, ?, ?, ?)');
    this.selectPending = db.prepare(
      'SELECT seq, peer, kind, body, created FROM fed_outbox WHERE peer = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.deleteRow = db.prepare('DELETE FROM fed_outbox WHERE peer = ? AND seq = ?');
    this.deleteUpTo = db.prepare('DELETE FROM fed_outbox WHERE peer = ? AND seq <= ?');
    this.countPending = db.prepare('SELECT count(*) FROM fed_outbox WHERE peer = ?').pluck();
    this.countAll = db.prepare('SELECT count(*) FROM fed_outbox').pluck();
    this.selectInbox = db.prepare('SELECT last_seq FROM fed_inbox WHERE peer = ?').pluck();
    this.upsertInbox = db.prepare(
      'INSERT INTO fed_inbox (peer, last_seq) VALUES (?, ?) ON CONFLICT (peer) DO UPDATE SET last_seq = excluded.last_seq',
    );
    this.selectCursor = db.prepare('SELECT value FROM fed_cursors WHERE name = ?').pluck();
    this.upsertCursor = db.prepare(
      'INSERT INTO fed_cursors (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    );
    this.selectLink = db.prepare('SELECT peer FROM fed_alert_links WHERE alert_id = ? AND role = ?').pluck();
    this.insertLink = db.prepare('INSERT OR REPLACE INTO fed_alert_links (alert_id, role, peer) VALUES (?, ?, ?)');
  }

  /** Runs `fn` in one IMMEDIATE transaction (nested inside another, a savepoint): all of it is durable, or none. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Queues a message for `peer`; returns its seq. */
  append(peer: string, kind: string, body: unknown): number {
    return Number(this.insertRow.run(peer, kind, JSON.stringify(body), this.now()).lastInsertRowid);
  }

  /** The oldest messages for `peer` after `afterSeq`, in order. */
  pending(peer: string, afterSeq = 0, limit = 100): OutboxRow[] {
    return (
      this.selectPending.all(peer, afterSeq, limit) as Array<{
        seq: number;
        peer: string;
        kind: string;
        body: string;
        created: number;
      }>
    ).map((r) => ({ ...r, body: JSON.parse(r.body) as unknown }));
  }

  /** `peer` has the message `seq`: it leaves the outbox. */
  delivered(peer: string, seq: number): void {
    this.deleteRow.run(peer, seq);
  }

  /** `peer` has every message up to `seq`. */
  deliveredUpTo(peer: string, seq: number): void {
    this.deleteUpTo.run(peer, seq);
  }

  /** How many messages wait for `peer`. */
  backlog(peer: string): number {
    return Number(this.countPending.get(peer));
  }

  /** How many messages wait for any peer. */
  backlogAll(): number {
    return Number(this.countAll.get());
  }

  /** The highest seq applied from `peer` (0: none yet). */
  lastApplied(peer: string): number {
    return Number(this.selectInbox.get(peer) ?? 0);
  }

  markApplied(peer: string, seq: number): void {
    this.upsertInbox.run(peer, seq);
  }

  cursor(name: string): number | undefined {
    const v = this.selectCursor.get(name);
    return v === undefined ? undefined : Number(v);
  }

  setCursor(name: string, value: number): void {
    this.upsertCursor.run(name, value);
  }

  /**
   * The peer an alert is linked to in `role`: the parent it was `handed` to, or the child its `mirror` came from. A
   * server in the middle of a deeper federation may hold both for one alert (a child's hand-off that escalated on out
   * of its own top).
   */
  link(alertId: string, role: AlertLinkRole): string | undefined {
    return this.selectLink.get(alertId, role) as string | undefined;
  }

  setLink(alertId: string, peer: string, role: AlertLinkRole): void {
    this.insertLink.run(alertId, role, peer);
  }
}
