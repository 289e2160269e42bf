import { decodeEnvelope, encodeEnvelope, ENVELOPE_VERSION, inScope, type Alert } from '@opsroom/models';
import type { AlertService } from '../alerts/alert-service.js';
import { RateLimitedLog, type Logger } from '../log/logger.js';
import type { BoundaryNode } from '../model/ownership.js';
import type { StoredPoint, TimeSeriesStore } from '../store/store.js';
import type { LiveModel } from '../vsm/live-model.js';
import { outboxBody, type FederationState } from './federation-state.js';
import type { RemoteAnswer } from './remote-queries.js';
import type { RollupBody } from './rollup-uplink.js';

/** The device id under which a child server's roll-ups are stored at its boundary node (never a device's: `$`). */
export const UPLINK_DEVICE = '$uplink';

export interface ChildLinksOptions {
  serverId: string;
  state: FederationState;
  store: TimeSeriesStore;
  live: LiveModel;
  alerts: AlertService;
  /** The boundary nodes of this server's model, each with the child server owning it (model/ownership.ts). */
  boundary: () => readonly BoundaryNode[];
  modelHash: () => string;
  /** Publishes on a child's `down` topic; `connected` says whether it is there to take it. */
  send: (child: string, payload: string) => void;
  connected: (child: string) => boolean;
  logger: Logger;
  /** A child's `answer` to a drill-down query (remote-queries.ts). */
  onAnswer?: (from: string, answer: RemoteAnswer) => void;
  /** How often unacknowledged `down` messages are sent again, ms. Default 2000. */
  resendMs?: number;
}

export interface ChildLinks {
  /** A child server's message on its `up` topic (the broker's PUBACK waits for it; a rejection means no PUBACK). */
  receive(from: string, payload: Buffer): Promise<void>;
  /** Something was queued for a child: send it now. */
  kick(): void;
  close(): void;
}

/**
 * The parent's side of its federation links (issue 19 point 2). Each child server's message is applied once, in seq
 * order (the inbox's high-water mark is committed with what it changed), and only when it lies inside that child's
 * subtree: a `rollup` is stored at the child's boundary node (device `$uplink`, idempotent per period) and shown live;
 * an `alert` escalating out of the child opens (or resolves) a mirror here (AlertService.receiveHandoff); an `ack`
 * takes delivered `down` messages out of the outbox. `down` messages (resolves) are sent while the child is
 * connected, and again until acknowledged.
 */
export function startChildLinks(o: ChildLinksOptions): ChildLinks {
  const log = new RateLimitedLog(o.logger);
  const boundaryOf = (child: string) => o.boundary().find((b) => b.server === child)?.path;

  const refuse = (from: string, why: string): never => {
    log.warn(`fed-refused:${from}`, { from, why }, 'federation: refused a message from a child server');
    throw new Error(`refused: ${why}`);
  };

  const applyRollup = async (from: string, boundary: string, r: RollupBody) => {
    if (r.node !== boundary) refuse(from, `a roll-up of ${String(r.node)}, outside its subtree ${boundary}`);
    const points: StoredPoint[] = [];
    const newest: StoredPoint[] = [];
    for (const [metric, pairs] of Object.entries(r.values ?? {})) {
      if (!Array.isArray(pairs)) refuse(from, 'a roll-up whose values are not lists');
      let last: StoredPoint | undefined;
      for (const pair of pairs) {
        const [ts, value] = pair as [unknown, unknown];
        if (typeof ts !== 'number' || typeof value !== 'number' || !Number.isFinite(value) || ts < 0)
          refuse(from, 'a roll-up value that is not [time, number]');
        const p = { node: boundary, metric, deviceId: UPLINK_DEVICE, ts: ts as number, value: value as number };
        points.push(p);
        if (!last || p.ts > last.ts) last = p;
      }
      if (last) newest.push(last);
    }
    if (points.length) await o.store.writeBatch(points);
    // The live view of the boundary node: its latest period, rolled up further here like any child's reading.
    o.live.ingest(newest);
  };

  const receive = async (from: string, payload: Buffer): Promise<void> => {
    let e;
    try {
      e = decodeEnvelope(payload.toString('utf8'), o.modelHash());
    } catch (err) {
      return refuse(from, (err as Error).message);
    }
    if (e.from !== from) refuse(from, `the envelope says it is from "${e.from}"`);
    const boundary = boundaryOf(from);
    if (boundary === undefined) refuse(from, 'no subtree of this server is owned by it');
    const body = e.body as { kind?: unknown };
    if (body.kind === 'ack') {
      const upTo = (body as { upTo?: unknown }).upTo;
      if (typeof upTo === 'number') o.state.deliveredUpTo(from, upTo);
      return;
    }
    if (body.kind === 'answer') {
      o.onAnswer?.(from, body as unknown as RemoteAnswer);
      return;
    }
    if (e.seq <= o.state.lastApplied(from)) return; // applied before: acknowledged again
    if (body.kind === 'rollup') {
      await applyRollup(from, boundary!, body as unknown as RollupBody);
      o.state.markApplied(from, e.seq);
      return;
    }
    if (body.kind === 'alert') {
      const alert = (body as { alert?: Alert }).alert;
      if (!alert || typeof alert.id !== 'string' || typeof alert.node !== 'string' || !Array.isArray(alert.trail))
        refuse(from, 'an alert message without an alert');
      if (!inScope(boundary!, alert!.node)) refuse(from, `an alert at ${alert!.node}, outside its subtree ${boundary}`);
      // How far the child's trail has been taken over: by the child's own clock, which only orders its own entries.
      const synced = `trail:${alert!.id}`;
      o.state.transaction(() => {
        if (o.state.link(alert!.id, 'mirror') === undefined) o.state.setLink(alert!.id, from, 'mirror');
        o.alerts.receiveHandoff(from, alert!, boundary!, o.state.cursor(synced) ?? 0);
        o.state.setCursor(synced, Math.max(0, ...alert!.trail.map((t) => t.at)));
        o.state.markApplied(from, e.seq);
      });
      return;
    }
    log.warn(`fed-kind:${from}`, { from, kind: String(body.kind) }, 'federation: skipped a message of unknown kind');
    o.state.markApplied(from, e.seq);
  };

  const send = () => {
    for (const b of o.boundary()) {
      if (!o.connected(b.server)) continue;
      for (const row of o.state.pending(b.server, 0, 100)) {
        o.send(
          b.server,
          encodeEnvelope({
            v: ENVELOPE_VERSION,
            modelHash: o.modelHash(),
            from: o.serverId,
            seq: row.seq,
            body: outboxBody(row),
          }),
        );
      }
    }
  };
  const timer = setInterval(send, o.resendMs ?? 2000);
  timer.unref();
  return { receive, kick: send, close: () => clearInterval(timer) };
}
