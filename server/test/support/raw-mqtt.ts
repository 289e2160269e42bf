import { connect, type Socket } from 'node:net';
import { varint } from '../../src/broker/mqtt-varint.js';

/** An MQTT remaining length ([MQTT-2.2.3]), encoded as the broker encodes its own packets. */
export const remainingLength = varint;

const str = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

/** An MQTT 3.1.1 CONNECT (clean session) with user name and password. */
export function connectPacket(clientId: string, username: string, password: string): Buffer {
  const body = Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2, 0, 60]), str(clientId), str(username), str(password)]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** A TCP socket to the broker from a chosen loopback address (127.0.0.0/8 all reach lo on Linux). */
export function openSocket(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends a CONNECT and resolves with the CONNACK return code, or 'closed' if the broker hung up first. */
export async function rawConnect(
  port: number,
  o: { username: string; password: string; clientId?: string; localAddress?: string },
): Promise<number | 'closed'> {
  const s = await openSocket(port, o.localAddress);
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 4 && got[0] === 0x20) {
        resolve(got[3]!);
        s.destroy();
      }
    });
    s.on('error', () => undefined);
    s.once('close', () => resolve('closed'));
    s.write(connectPacket(o.clientId ?? `raw-${Math.random().toString(36).slice(2)}`, o.username, o.password));
  });
}

/** Resolves true when the socket closes within `ms`, false otherwise. */
export function closesWithin(s: Socket, ms: number): Promise<boolean> {
  if (s.destroyed || s.closed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}
