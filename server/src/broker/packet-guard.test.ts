import { describe, expect, it } from '@jest/globals';
import { varint } from './mqtt-varint.js';
import { PacketGuard } from './packet-guard.js';

const packet = (type: number, bodyLength: number) =>
  Buffer.concat([Buffer.from([type]), varint(bodyLength), Buffer.alloc(bodyLength)]);

describe('PacketGuard', () => {
  it('passes packets within the limit, however the stream is cut', () => {
    const stream = Buffer.concat([packet(0x10, 100), packet(0x30, 200), packet(0xc0, 0), packet(0x30, 1000)]);
    for (const cut of [1, 2, 3, 7, 64, stream.length]) {
      const g = new PacketGuard(1000);
      for (let i = 0; i < stream.length; i += cut) expect(g.accept(stream.subarray(i, i + cut))).toBe(true);
    }
  });

  it('refuses a packet announcing more than the limit from its header, before its body', () => {
    const g = new PacketGuard(64 * 1024);
    expect(g.accept(packet(0x30, 10))).toBe(true);
    expect(g.accept(Buffer.from([0x10, 0xff, 0xff, 0xff]))).toBe(false); // a 4th length byte still to come: already over 2 MiB
    expect(g.refused).toMatch(/over the limit/);
    expect(g.accept(Buffer.from([0xc0, 0x00]))).toBe(false); // stays refused
  });

  it('refuses a remaining length of more than four bytes [MQTT-1.5.3]', () => {
    const g = new PacketGuard(Number.MAX_SAFE_INTEGER);
    expect(g.accept(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toBe(false);
    expect(g.refused).toBe('malformed remaining length');
  });

  it('applies a raised limit to the packets that follow (after authentication)', () => {
    const g = new PacketGuard(100);
    expect(g.accept(packet(0x10, 50))).toBe(true);
    g.limit = 10_000;
    expect(g.accept(packet(0x30, 5000))).toBe(true);
  });
});
