import mqtt, { type MqttClient } from 'mqtt';
import { decodeEnvelope, encodeEnvelope, EnvelopeError, ENVELOPE_VERSION, redactUrl } from '@opsroom/models';
import { SERVER_USERNAME_PREFIX, serverTopic } from '../broker/broker-auth.js';
import { brokerConnection } from '../ingest/broker-credentials.js';
import { RateLimitedLog, type Logger } from '../log/logger.js';
import { outboxBody, type FederationState } from './federation-state.js';
import type { RemoteAnswer, RemoteQuery } from './remote-queries.js';

/** What a message from the parent asks (the `down` direction): resolve an alert handed up, or send a directive. */
export interface DownMessage {
  kind: 'resolve' | 'directive';
  id: string;
  /** Who did it on the parent server. */
  by: string;
  at: number;
  note?: string;
}

export interface UplinkClientOptions {
  /** The parent server's broker, e.g. mqtt://region.example:1883. */
  url: string;
  serverId: string;
  secret: string;
  /** The parent server's id: the outbox's peer for messages going up. */
  parent: string;
  state: FederationState;
  modelHash: () => string;
  /** Applies a `resolve` or a `directive` from the parent (false when the alert is not open here). */
  onDown: (m: DownMessage) => boolean;
  /** Answers a drill-down query of the parent (remote-queries.ts answerQuery). */
  onQuery?: (q: RemoteQuery) => Promise<RemoteAnswer>;
  logger: Logger;
  /** Messages in flight (published, PUBACK not yet in). Default 64. */
  window?: number;
  /** How often the outbox is looked at without a kick, ms. Default 500. */
  pollMs?: number;
  /** How long a message may wait for the parent's PUBACK before the log says it is stuck, ms. Default 30 s. */
  stallWarnMs?: number;
}

export interface UplinkClient {
  /** Something was queued: send it now. */
  kick(): void;
  readonly connected: boolean;
  close(): Promise<void>;
}

/** See UplinkClientOptions.stallWarnMs. */
export const UPLINK_STALL_WARN_MS = 30_000;

/**
 * The child's side of a federation link (issue 19 point 2): one MQTT connection to the parent server's broker as
 * `$server:<id>`. Sends the outbox for the parent in seq order at QoS 1, each message removed from the outbox only
 * when the parent's PUBACK says it is applied; after a reconnect it sends again from the oldest unacknowledged one (the
 * parent applies each seq once). Takes the parent's `down` messages (resolves, directives) once each, by the inbox's high-water
 * mark, and acknowledges them with an `ack` message.
 */
export function startUplinkClient(o: UplinkClientOptions): UplinkClient {
  const log = new RateLimitedLog(o.logger);
  const conn = brokerConnection(o.url, `${SERVER_USERNAME_PREFIX}${o.serverId}`, o.secret);
  const client: MqttClient = mqtt.connect(conn.url, {
    clientId: `${SERVER_USERNAME_PREFIX}${o.serverId}`,
    clean: true,
    username: conn.username,
    password: conn.password,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    log: () => undefined,
  });
  const up = serverTopic(o.serverId, 'up');
  const down = serverTopic(o.serverId, 'down');
  const windowSize = o.window ?? 64;
  const inFlight = new Set<number>();
  /** When each unacknowledged message was first published (kept across reconnects), and when the link last came up. */
  const firstSent = new Map<number, number>();
  let connectedAt = 0;
  let saidConnectedAt = -Infinity;
  let sentUpTo = 0; // highest seq published on this connection
  let online = false;
  let closed = false;

  const envelope = (seq: number, body: unknown) =>
    encodeEnvelope({ v: ENVELOPE_VERSION, modelHash: o.modelHash(), from: o.serverId, seq, body });

  const pump = () => {
    if (!online || closed) return;
    const room = windowSize - inFlight.size;
    if (room <= 0) return;
    for (const row of o.state.pending(o.parent, sentUpTo, room)) {
      sentUpTo = row.seq;
      inFlight.add(row.seq);
      if (!firstSent.has(row.seq)) firstSent.set(row.seq, Date.now());
      client.publish(up, envelope(row.seq, outboxBody(row)), { qos: 1 }, (err) => {
        inFlight.delete(row.seq);
        if (err) return; // not delivered: sent again after the reconnect
        o.state.delivered(o.parent, row.seq);
        firstSent.delete(row.seq);
        pump();
      });
    }
  };

  // Every CONNACK that lets it in, also one after which mqtt.js resends its unacknowledged messages and the parent
  // drops the link again before 'connect' is emitted (a refused message): the link works, the message does not.
  client.on('packetreceive', (packet) => {
    if (packet.cmd === 'connack' && (packet.returnCode ?? packet.reasonCode ?? 0) === 0) connectedAt = Date.now();
  });
  client.on('connect', () => {
    online = true;
    inFlight.clear();
    sentUpTo = 0;
    // at most once a minute at info: a link the parent drops at each refused message comes back every second
    const said = { parent: o.parent, url: redactUrl(o.url), backlog: o.state.backlog(o.parent) };
    if (Date.now() - saidConnectedAt >= 60_000) o.logger.info(said, 'uplink connected');
    else o.logger.debug(said, 'uplink connected');
    saidConnectedAt = Date.now();
    client.subscribe(down, { qos: 1 }, (err) => {
      if (err) o.logger.error({ err }, 'uplink: subscribing to the parent server failed');
    });
    pump();
  });
  client.on('close', () => {
    // What was in flight is sent again from the outbox once the link is back (pump, from the oldest), encoded anew:
    // mqtt.js must not resend its stored copies, which carry the model hash of when they were first sent (a council
    // whose message was refused for another model file would be refused for ever after its file was fixed).
    for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
    if (online)
      log.warn('uplink-lost', { parent: o.parent, url: redactUrl(o.url) }, 'uplink lost: the outbox keeps what is new');
    online = false;
    inFlight.clear();
  });
  client.on('error', (err) => {
    // CONNACK 4 / 5: the parent knows no such server or another secret: say which settings must agree.
    const refused = /bad username or password|not authori[sz]ed/i.test(err.message);
    log.warn(
      'uplink-error',
      {
        err: err.message,
        url: redactUrl(o.url),
        ...(refused ? { user: `${SERVER_USERNAME_PREFIX}${o.serverId}` } : {}),
      },
      refused
        ? `uplink: the parent server refused this server's login; OPSROOM_UPLINK_SECRET must be the secret whose ` +
            `hash is servers[${o.serverId}].secret_hash in the model the parent runs`
        : 'uplink: cannot reach the parent server',
    );
  });
  client.on('message', (topic, payload) => {
    if (topic !== down) return;
    let seq: number;
    let body: DownMessage;
    try {
      const e = decodeEnvelope(payload.toString('utf8'), o.modelHash());
      if (e.from !== o.parent) throw new EnvelopeError('OPS_ERR_ENVELOPE_MALFORMED', `it came from "${e.from}"`);
      seq = e.seq;
      body = e.body as DownMessage;
    } catch (err) {
      log.warn('uplink-refused', { err: (err as Error).message }, 'uplink: refused a message from the parent server');
      return;
    }
    if ((body as { kind?: unknown }).kind === 'query') {
      // Not kept, not numbered: a question the parent asks while a planner waits; the answer goes straight up.
      const q = body as unknown as RemoteQuery;
      if (!o.onQuery) return;
      o.onQuery(q).then(
        (answer) => client.publish(up, envelope(0, answer), { qos: 1 }),
        (err: unknown) => o.logger.error({ err }, 'uplink: answering a query of the parent server failed'),
      );
      return;
    }
    try {
      if (seq > o.state.lastApplied(o.parent)) {
        o.state.transaction(() => {
          if (body.kind === 'resolve' || body.kind === 'directive') o.onDown(body);
          else log.warn('uplink-kind', { kind: String((body as { kind?: unknown }).kind) }, 'uplink: unknown message');
          o.state.markApplied(o.parent, seq);
        });
      }
      client.publish(up, envelope(0, { kind: 'ack', upTo: seq }), { qos: 1 });
    } catch (err) {
      // Not acknowledged: the parent sends it again.
      o.logger.error({ err }, 'uplink: applying a message from the parent server failed');
    }
  });
  // The parent withholds its PUBACK from what it cannot apply (another model file, a node outside this server's
  // subtree) and says why in its own log; this server says here that its messages are stuck, and where to look.
  const stallMs = o.stallWarnMs ?? UPLINK_STALL_WARN_MS;
  // A message first sent before the link last came up, and still not acknowledged, is refused, not lost in an outage
  // (the embedded broker drops a link whose message the server refuses; another broker may just withhold the PUBACK).
  let warnedSeq = -1; // once per stuck message
  const watchStall = () => {
    const oldest = firstSent.entries().next().value;
    if (!oldest || warnedSeq === oldest[0]) return;
    const [seq, at] = oldest;
    const waited = Date.now() - at;
    if (waited < stallMs || (connectedAt <= at && !(online && inFlight.has(seq)))) return; // an outage, not a refusal
    warnedSeq = seq;
    o.logger.warn(
      { parent: o.parent, seq, waitingS: Math.round(waited / 1000), modelHash: o.modelHash() },
      `uplink: the parent server has not accepted message ${seq} for ${Math.round(waited / 1000)} s; it refuses ` +
        'what it cannot apply and its log says why: most often it runs another model file (compare the model hash ' +
        'with the one `opsroom model validate` prints there)',
    );
  };
  const timer = setInterval(() => {
    pump();
    watchStall();
  }, o.pollMs ?? 500);
  timer.unref();

  return {
    kick: () => pump(),
    get connected() {
      return online;
    },
    close: async () => {
      closed = true;
      clearInterval(timer);
      await client.endAsync(true);
    },
  };
}
