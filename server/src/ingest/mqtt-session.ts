import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { createWebSocketStream, WebSocket } from 'ws';
import { parseBrokerUrlParts, type ParsedBrokerUrl } from '@opsroom/models';
import { varint } from '../broker/mqtt-varint.js';

/**
 * The ingest's own MQTT 3.1.1 client: one connection in a persistent session (clean session 0),
 * reading PUBLISH frames straight from the socket and writing the PUBACKs of one turn as one
 * buffer. It does what the ingest needs and nothing more: subscribe at QoS 1, take every message
 * (QoS 0 or 1) through `onPublish`, send PUBACKs when told to (the ingest sends them in order, once
 * stored), publish at QoS 0 or 1 (QoS 1 kept until its PUBACK and sent again, DUP set, on the next
 * connection, as [MQTT-4.4.0-1] asks), keep the connection alive (PINGREQ), and reconnect after
 * `reconnectMs` when the connection goes, subscribing again each time.
 *
 * Why not mqtt.js: its stream parser, per-packet handlers and one PUBACK write path each. Through
 * Mosquitto the server with mqtt.js spent 22–23 µs of CPU per single-reading message, with this
 * client 18–21 µs; per batch of 100, 109–140 µs and 101–114 µs, the latter also with the alert
 * changes of the same day (2026-12-07, 4 alternating runs each of `PROFILE_BROKER=mosquitto
 * PROFILE_PUBLISHER=process server/bench/profile-pipeline.ts`). mqtt.js stays the devices', the
 * bench's and the federation link's client.
 *
 * URLs: the broker URL table's (`models/src/readings/broker-url.ts`): `mqtt://` (TCP), `mqtts://`
 * (TLS: Node's public root CAs, or the `ca` option's), `ws://` and `wss://` (WebSocket, subprotocol `mqtt`, the URL's path).
 */
export interface MqttSessionOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** PEM CA certificate(s) trusted for the broker's certificate (mqtts, wss) instead of Node's public root CAs. */
  ca?: Buffer;
  /** Topic filters subscribed at QoS 1 on every connection. */
  subscriptions: string[];
  /** Called for every PUBLISH received, in order; a QoS 1 one is acknowledged only through {@link MqttSession.ack}. */
  onPublish: (p: IncomingPublish) => void;
  /** A connection went (or a connection attempt failed): called once per connection, before reconnecting. */
  onClose: () => void;
  onError: (err: Error) => void;
  /** Subscribed on a new connection (the first, or after a reconnection). */
  onUp?: () => void;
  reconnectMs?: number;
  /** How long the broker may take to answer CONNECT, ms (default 10 s). */
  connectTimeoutMs?: number;
  /** How long, after its CONNACK, the broker may take to answer SUBSCRIBE, ms (default 120 s). */
  subscribeTimeoutMs?: number;
  keepaliveSec?: number;
}

export interface IncomingPublish {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  dup: boolean;
  retain: boolean;
  /** QoS 1 and 2 only. */
  messageId: number | undefined;
}

/** The CONNACK return codes of MQTT 3.1.1 (3.2.2.3), in mqtt.js's words. */
const CONNACK_ERRORS: Record<number, string> = {
  1: 'Connection refused: Unacceptable protocol version',
  2: 'Connection refused: Identifier rejected',
  3: 'Connection refused: Server unavailable',
  4: 'Connection refused: Bad username or password',
  5: 'Connection refused: Not authorized',
};

export class MqttSession {
  private socket: Duplex | null = null;
  private live = false; // this connection's CONNACK accepted
  private ending = false;
  private buf: Buffer | null = null;
  private paused = false;
  private acks: Buffer[] = [];
  private ackFlush = false;
  /** Outgoing QoS 1 messages not yet acknowledged by the broker, by packet id: sent again on the next connection. */
  private readonly outgoing = new Map<number, { packet: Buffer; done: Array<() => void> }>();
  private nextId = 1;
  private subscribeId = 0;
  private onSubscribed: ((err?: Error) => void) | null = null;
  private onConnack: ((err?: Error) => void) | null = null;
  private keepalive: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastRead = 0;
  private lastWrite = 0;
  private pingOutstanding = false;
  private readonly where: ParsedBrokerUrl;

  constructor(private readonly opts: MqttSessionOptions) {
    const where = parseBrokerUrlParts(opts.url);
    if (typeof where === 'string') throw new Error(`the broker URL ${where}`);
    this.where = where;
  }

  get connected(): boolean {
    return this.live;
  }

  /** The first connection: resolves once subscribed, rejects if it fails (no reconnecting then). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.open((err) => {
        if (err) {
          this.ending = true;
          reject(err);
        } else resolve();
      });
    });
  }

  /** Queues the PUBACK of `messageId`; the PUBACKs of one turn leave in one write, in the order queued. */
  ack(messageId: number): void {
    if (!this.live) return; // that connection is gone: the broker sends the message again
    this.acks.push(puback(messageId));
    if (!this.ackFlush) {
      this.ackFlush = true;
      process.nextTick(this.flushAcks);
    }
  }

  private readonly flushAcks = (): void => {
    this.ackFlush = false;
    const acks = this.acks;
    this.acks = [];
    if (acks.length > 0 && this.live) this.write(acks.length === 1 ? acks[0]! : Buffer.concat(acks));
  };

  /** Stops taking messages from the socket until {@link resume} (the broker keeps what is not read). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket?.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const s = this.socket;
    if (s && this.live) {
      this.parse();
      if (!this.paused) s.resume();
    }
  }

  /**
   * Publishes `payload` on `topic`. QoS 0 goes only if connected (else it is dropped); QoS 1 is kept
   * until the broker's PUBACK: sent now if connected, else on the next connection.
   */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1, retain = false): void {
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (qos === 0) {
      if (this.live) this.write(publishPacket(topic, body, 0, retain, false, 0));
      return;
    }
    const id = this.allocateId();
    const packet = publishPacket(topic, body, 1, retain, false, id);
    this.outgoing.set(id, { packet, done: [] });
    if (this.live) this.write(packet);
  }

  /** Closes for good: waits up to `drainMs` for the broker to acknowledge our QoS 1 messages, then DISCONNECT. */
  async end(drainMs = 2000): Promise<void> {
    if (this.outgoing.size > 0 && this.live) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, drainMs);
        let left = this.outgoing.size;
        for (const o of this.outgoing.values())
          o.done.push(() => {
            if (--left === 0) {
              clearTimeout(t);
              resolve();
            }
          });
      });
    }
    this.ending = true;
    clearTimeout(this.reconnectTimer);
    const s = this.socket;
    if (!s) return;
    this.flushAcks();
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      if (this.live) s.end(Buffer.from([0xe0, 0x00]));
      else s.destroy();
      setTimeout(() => s.destroy(), 1000).unref();
    });
  }

  /** Drops the connection (the broker keeps the session and redelivers what was not acknowledged); reconnects. */
  drop(): void {
    this.socket?.destroy();
  }

  private allocateId(): number {
    for (let i = 0; i < 65535; i++) {
      const id = this.nextId;
      this.nextId = id === 65535 ? 1 : id + 1;
      if (!this.outgoing.has(id) && id !== this.subscribeId) return id;
    }
    throw new Error('MQTT: 65,535 messages waiting for their PUBACK');
  }

  private open(first?: (err?: Error) => void): void {
    const o = this.opts;
    const { stream: s, opened } = this.transport();
    this.socket = s;
    this.buf = null;
    this.paused = false;
    this.acks = [];
    let settled = false;
    let up = false; // subscribed on this connection
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      up = !err;
      clearTimeout(timeout);
      this.onConnack = null;
      this.onSubscribed = null;
      if (first) first(err);
      else if (err) o.onError(err);
      if (err) s.destroy();
    };
    let timeout = setTimeout(
      () => settle(new Error(`no CONNACK within ${o.connectTimeoutMs ?? 10_000} ms`)),
      o.connectTimeoutMs ?? 10_000,
    );
    s.once(opened, () => {
      this.lastRead = this.lastWrite = Date.now();
      this.write(connectPacket(o.clientId, o.username, o.password, o.keepaliveSec ?? 60));
    });
    this.onConnack = (err) => {
      if (err) return settle(err);
      // The CONNACK came in time. The SUBACK may take longer: a clustered broker (nats-server) first finds the
      // session's consumers, and while its JetStream elects new leaders that takes tens of seconds. Giving up on it
      // at the connect timeout would drop every try before it could finish.
      clearTimeout(timeout);
      timeout = setTimeout(
        () => settle(new Error(`no SUBACK within ${o.subscribeTimeoutMs ?? 120_000} ms`)),
        o.subscribeTimeoutMs ?? 120_000,
      );
      // The session is up: messages the broker kept for it may come before the SUBACK, and are taken.
      this.live = true;
      // Our QoS 1 messages the last connection did not see acknowledged go again, DUP set.
      for (const out of this.outgoing.values()) {
        out.packet[0] = out.packet[0]! | 0x08;
        this.write(out.packet);
      }
      this.subscribeId = this.allocateId();
      this.onSubscribed = (subErr) => {
        this.subscribeId = 0;
        if (subErr) return settle(subErr);
        settle();
        o.onUp?.();
      };
      this.write(subscribePacket(this.subscribeId, o.subscriptions));
    };
    s.on('data', (chunk: Buffer) => {
      this.lastRead = Date.now();
      this.pingOutstanding = false;
      this.buf = this.buf === null || this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.parse();
    });
    s.on('error', (err) => {
      if (!settled) settle(err);
      else if (!this.ending) o.onError(err);
    });
    s.once('close', () => {
      if (!settled) settle(new Error('the broker closed the connection'));
      clearInterval(this.keepalive);
      this.keepalive = undefined;
      this.live = false;
      this.socket = null;
      this.buf = null;
      this.acks = [];
      const firstFailed = first !== undefined && !up;
      if (!firstFailed) o.onClose();
      if (!this.ending && !firstFailed)
        this.reconnectTimer = setTimeout(() => {
          if (!this.ending) this.open();
        }, o.reconnectMs ?? 1000);
    });
    const ka = (o.keepaliveSec ?? 60) * 1000;
    this.keepalive = setInterval(
      () => {
        const now = Date.now();
        if (this.pingOutstanding && now - this.lastRead > ka) return void s.destroy(); // the broker is gone
        if (now - this.lastWrite >= ka / 2 && s.writable) {
          this.pingOutstanding = true;
          this.write(Buffer.from([0xc0, 0x00]));
        }
      },
      Math.max(250, ka / 4),
    );
    this.keepalive.unref();
  }

  /** The byte stream to the broker, and the event it emits once open. */
  private transport(): { stream: Duplex; opened: string } {
    const { protocol, host, port } = this.where;
    if (protocol === 'ws' || protocol === 'wss') {
      const u = new URL(this.opts.url);
      u.username = '';
      u.password = '';
      const ws = new WebSocket(u.toString(), ['mqtt'], this.opts.ca ? { ca: this.opts.ca } : {});
      const stream = createWebSocketStream(ws);
      ws.once('open', () => stream.emit('mqtt-open'));
      return { stream, opened: 'mqtt-open' };
    }
    if (protocol === 'mqtts') {
      const servername = isIp(host) ? undefined : host;
      return {
        stream: tlsConnect({
          host,
          port,
          ...(servername ? { servername } : {}),
          ...(this.opts.ca ? { ca: this.opts.ca } : {}),
        }).setNoDelay(true),
        opened: 'secureConnect',
      };
    }
    return { stream: netConnect({ host, port }).setNoDelay(true), opened: 'connect' };
  }

  private write(b: Buffer): void {
    const s = this.socket;
    if (!s || s.destroyed) return;
    this.lastWrite = Date.now();
    s.write(b);
  }

  /** Takes every whole packet in the buffer (up to a pause). */
  private parse(): void {
    let buf = this.buf;
    if (buf === null) return;
    let at = 0;
    const end = buf.length;
    while (!this.paused && at + 2 <= end && this.socket) {
      const type = buf[at]!;
      // Remaining length: 1 to 4 bytes of 7 bits, the high bit saying another follows.
      let len = 0;
      let mul = 1;
      let i = at + 1;
      let complete = false;
      for (let n = 0; n < 4 && i < end; n++) {
        const b = buf[i++]!;
        len += (b & 0x7f) * mul;
        mul *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (i - at - 1 >= 4) return this.protocolError('a malformed remaining length');
        break; // the length is not all here yet
      }
      if (i + len > end) break; // the packet is not all here yet
      const body = i;
      at = i + len;
      switch (type >> 4) {
        case 3: {
          // PUBLISH
          const qos = ((type >> 1) & 3) as 0 | 1 | 2;
          const tlen = buf.readUInt16BE(body);
          const topic = buf.toString('utf8', body + 2, body + 2 + tlen);
          let p = body + 2 + tlen;
          let messageId: number | undefined;
          if (qos > 0) {
            messageId = buf.readUInt16BE(p);
            p += 2;
          }
          if (p > at) return this.protocolError('a malformed PUBLISH');
          if (qos === 2) return this.protocolError('a QoS 2 PUBLISH (subscribed at QoS 1)');
          this.opts.onPublish({
            topic,
            payload: buf.subarray(p, at),
            qos,
            dup: (type & 0x08) !== 0,
            retain: (type & 0x01) !== 0,
            messageId,
          });
          break;
        }
        case 2: {
          // CONNACK
          const rc = buf[body + 1];
          const cb = this.onConnack;
          this.onConnack = null;
          if (rc === 0) cb?.();
          else cb?.(new Error(CONNACK_ERRORS[rc ?? -1] ?? `Connection refused: return code ${rc}`));
          break;
        }
        case 9: {
          // SUBACK
          const id = buf.readUInt16BE(body);
          if (id !== this.subscribeId) break;
          const cb = this.onSubscribed;
          this.onSubscribed = null;
          let refused = false;
          for (let k = body + 2; k < at; k++) if (buf[k] === 0x80) refused = true;
          cb?.(
            refused
              ? new Error(`the broker refused the subscription to ${this.opts.subscriptions.join(', ')}`)
              : undefined,
          );
          break;
        }
        case 4: {
          // PUBACK of one of ours
          const id = buf.readUInt16BE(body);
          const out = this.outgoing.get(id);
          if (out) {
            this.outgoing.delete(id);
            for (const d of out.done) d();
          }
          break;
        }
        case 13: // PINGRESP
          break;
        default:
          return this.protocolError(`an unexpected packet (type ${type >> 4})`);
      }
      buf = this.buf;
      if (buf === null) return; // the connection went while a handler ran
    }
    this.buf = at >= end ? null : at === 0 ? buf : buf.subarray(at);
  }

  private protocolError(what: string): void {
    this.opts.onError(new Error(`MQTT: the broker sent ${what}; reconnecting`));
    this.buf = null;
    this.socket?.destroy();
  }
}

const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');

function mqttString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(2 + b.length);
  out.writeUInt16BE(b.length, 0);
  b.copy(out, 2);
  return out;
}

function frame(first: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([first]), varint(body.length), body]);
}

/** CONNECT, MQTT 3.1.1, clean session 0. */
function connectPacket(
  clientId: string,
  username: string | undefined,
  password: string | undefined,
  keepalive: number,
) {
  let flags = 0; // clean session 0: the broker keeps our subscriptions and queued messages
  const parts = [mqttString('MQTT'), Buffer.from([4, 0, keepalive >> 8, keepalive & 0xff]), mqttString(clientId)];
  if (username !== undefined) {
    flags |= 0x80;
    parts.push(mqttString(username));
    if (password !== undefined) {
      flags |= 0x40;
      parts.push(mqttString(password));
    }
  }
  parts[1]![1] = flags;
  return frame(0x10, Buffer.concat(parts));
}

function subscribePacket(id: number, filters: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([id >> 8, id & 0xff])];
  for (const f of filters) parts.push(mqttString(f), Buffer.from([1]));
  return frame(0x82, Buffer.concat(parts));
}

function publishPacket(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean, dup: boolean, id: number): Buffer {
  const first = 0x30 | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 1 : 0);
  const parts: Buffer[] = [mqttString(topic)];
  if (qos > 0) parts.push(Buffer.from([id >> 8, id & 0xff]));
  parts.push(payload);
  return frame(first, Buffer.concat(parts));
}

function puback(id: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b[0] = 0x40;
  b[1] = 2;
  b[2] = id >> 8;
  b[3] = id & 0xff;
  return b;
}

/** For tests: the packets this client writes. */
export const packets = { connectPacket, subscribePacket, publishPacket, puback };
