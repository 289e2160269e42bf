import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { MqttSession, packets, type IncomingPublish } from './mqtt-session.js';

/** A scripted broker: answers CONNECT and SUBSCRIBE, records every packet the client sends. */
function fakeBroker(o: { subackAfterMs?: number } = {}) {
  const got: Array<{ conn: number; type: number; flags: number; body: Buffer }> = [];
  const sockets: Duplex[] = [];
  let conns = 0;
  const session = (s: Duplex) => {
    const conn = ++conns;
    sockets.push(s);
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (buf.length < 2) return;
        let len = 0;
        let mul = 1;
        let i = 1;
        for (;;) {
          const b = buf[i++]!;
          len += (b & 0x7f) * mul;
          mul *= 128;
          if (!(b & 0x80)) break;
        }
        if (buf.length < i + len) return;
        const type = buf[0]! >> 4;
        const body = buf.subarray(i, i + len);
        got.push({ conn, type, flags: buf[0]! & 0x0f, body });
        buf = buf.subarray(i + len);
        if (type === 1) s.write(Buffer.from([0x20, 2, 0, 0])); // CONNACK accepted
        if (type === 8) {
          const suback = Buffer.from([0x90, 3, body[0]!, body[1]!, 1]); // SUBACK, QoS 1
          if (o.subackAfterMs) setTimeout(() => s.write(suback), o.subackAfterMs);
          else s.write(suback);
        }
      }
    });
    s.on('error', () => undefined);
  };
  const server: Server = createServer(session);
  let wss: WebSocketServer | undefined;
  return {
    got,
    sockets,
    async listen(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    /** The same broker over WebSocket (subprotocol mqtt), as Mosquitto's `protocol websockets` listener. */
    async listenWs(): Promise<string> {
      const protocols: string[] = [];
      wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (p) => (protocols.push(...p), 'mqtt') });
      wss.on('connection', (ws) => session(createWebSocketStream(ws)));
      await new Promise<void>((r) => wss!.once('listening', () => r()));
      return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/mqtt`;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      if (wss) await new Promise<void>((r) => wss!.close(() => r()));
    },
  };
}

const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function connected(onPublish: (p: IncomingPublish) => void = () => undefined, ws = false) {
  const broker = fakeBroker();
  const url = ws ? await broker.listenWs() : await broker.listen();
  let closes = 0;
  const session = new MqttSession({
    url,
    clientId: 'ingest-test',
    username: 'srv',
    password: 'p:w',
    subscriptions: ['opsroom/devices/+/readings'],
    onPublish,
    onClose: () => closes++,
    onError: () => undefined,
    reconnectMs: 50,
  });
  cleanup.push(() => broker.close());
  cleanup.push(() => session.end(50));
  await session.start();
  return { broker, session, closes: () => closes };
}

describe('MqttSession', () => {
  it('waits for a slow SUBACK beyond the connect timeout (a clustered broker finding the session), on one connection', async () => {
    const broker = fakeBroker({ subackAfterMs: 300 });
    const url = await broker.listen();
    let closes = 0;
    const session = new MqttSession({
      url,
      clientId: 'ingest-slow-suback',
      subscriptions: ['opsroom/devices/+/readings'],
      onPublish: () => undefined,
      onClose: () => closes++,
      onError: () => undefined,
      connectTimeoutMs: 100,
      reconnectMs: 50,
    });
    cleanup.push(() => broker.close());
    cleanup.push(() => session.end(50));
    await session.start();
    expect(session.connected).toBe(true);
    expect(closes).toBe(0);
    expect(broker.got.filter((p) => p.type === 1)).toHaveLength(1); // one CONNECT: never given up and retried
  });

  it('connects in a persistent session with its credentials and subscribes at QoS 1', async () => {
    const { broker } = await connected();
    const connect = broker.got.find((p) => p.type === 1)!;
    expect(connect.body.subarray(0, 7).toString('latin1')).toBe('\0\x04MQTT\x04');
    expect(connect.body[7]! & 0x02).toBe(0); // clean session 0
    expect(connect.body[7]! & 0xc0).toBe(0xc0); // user name and password
    const sub = broker.got.find((p) => p.type === 8)!;
    expect(sub.flags).toBe(2);
    expect(sub.body.subarray(4, 4 + 26).toString()).toBe('opsroom/devices/+/readings');
    expect(sub.body.at(-1)).toBe(1);
  });

  it('takes PUBLISH frames split anywhere across reads, and sends the PUBACKs in the order they are given', async () => {
    const seen: IncomingPublish[] = [];
    const { broker, session } = await connected((p) => seen.push(p));
    const frames = Buffer.concat(
      [1, 2, 3, 300].map((id) =>
        packets.publishPacket(`opsroom/devices/d${id}/readings`, Buffer.from(`{"v":${id}}`), 1, false, id === 2, id),
      ),
    );
    const s = broker.sockets[0]!;
    for (let i = 0; i < frames.length; i += 7) {
      s.write(frames.subarray(i, i + 7));
      await new Promise((r) => setTimeout(r, 1));
    }
    await until(() => seen.length === 4);
    expect(seen.map((p) => [p.topic, p.payload.toString(), p.messageId, p.dup, p.qos])).toEqual([
      ['opsroom/devices/d1/readings', '{"v":1}', 1, false, 1],
      ['opsroom/devices/d2/readings', '{"v":2}', 2, true, 1],
      ['opsroom/devices/d3/readings', '{"v":3}', 3, false, 1],
      ['opsroom/devices/d300/readings', '{"v":300}', 300, false, 1],
    ]);
    for (const id of [1, 2, 3, 300]) session.ack(id);
    await until(() => broker.got.filter((p) => p.type === 4).length === 4);
    expect(broker.got.filter((p) => p.type === 4).map((p) => p.body.readUInt16BE(0))).toEqual([1, 2, 3, 300]);
  });

  it('stops taking messages while paused and takes the rest on resume', async () => {
    const seen: number[] = [];
    const held: { session?: MqttSession } = {};
    const c = await connected((p) => {
      seen.push(p.messageId!);
      if (seen.length === 2) held.session!.pause();
    });
    held.session = c.session;
    const session = c.session;
    const frames = Buffer.concat(
      [1, 2, 3, 4].map((id) => packets.publishPacket('t', Buffer.from('x'), 1, false, false, id)),
    );
    c.broker.sockets[0]!.write(frames);
    await until(() => seen.length === 2);
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([1, 2]);
    session.resume();
    await until(() => seen.length === 4);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('reconnects after the connection goes, subscribes again, and sends its unacknowledged QoS 1 messages again with DUP', async () => {
    const { broker, session, closes } = await connected();
    session.publish('opsroom/devices/d1/commands', '{"directive":1}', 1);
    await until(() => broker.got.some((p) => p.type === 3));
    broker.sockets[0]!.destroy();
    await until(() => broker.got.filter((p) => p.type === 8).length === 2);
    expect(closes()).toBe(1);
    await until(() => broker.got.filter((p) => p.type === 3).length === 2);
    const [first, again] = broker.got.filter((p) => p.type === 3);
    expect(first!.flags & 0x08).toBe(0);
    expect(again!.flags & 0x08).toBe(0x08); // DUP
    expect(again!.conn).toBe(2);
    expect(again!.body.equals(first!.body)).toBe(true);
    expect(session.connected).toBe(true);
  });

  it('refuses with the CONNACK reason, and does not retry the first connection', async () => {
    const server = createServer((s) => s.on('data', () => s.write(Buffer.from([0x20, 2, 0, 5]))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const session = new MqttSession({
      url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
      clientId: 'x',
      subscriptions: ['#'],
      onPublish: () => undefined,
      onClose: () => undefined,
      onError: () => undefined,
    });
    await expect(session.start()).rejects.toThrow(/Not authorized/);
  });

  it('speaks MQTT over WebSocket too (ws://, the URL table of models/src/readings/broker-url.ts)', async () => {
    const seen: IncomingPublish[] = [];
    const { broker, session } = await connected((p) => seen.push(p), true);
    expect(broker.got.filter((p) => p.type === 8)).toHaveLength(1);
    broker.sockets[0]!.write(
      packets.publishPacket('opsroom/devices/d1/readings', Buffer.from('{"v":1}'), 1, false, false, 7),
    );
    await until(() => seen.length === 1);
    session.ack(7);
    await until(() => broker.got.some((p) => p.type === 4));
    expect(broker.got.find((p) => p.type === 4)!.body.readUInt16BE(0)).toBe(7);
  });

  it('refuses a URL outside the broker URL table', () => {
    const opts = { clientId: 'x', subscriptions: [], onPublish: () => {}, onClose: () => {}, onError: () => {} };
    expect(() => new MqttSession({ ...opts, url: 'http://broker:8080' })).toThrow(/must start with mqtt:\/\//);
  });
});
