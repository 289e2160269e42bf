import { describe, expect, it } from '@jest/globals';
import { Redeliveries } from './redeliveries.js';

const T = 'opsroom/v1/devices/d/readings';
const bytes = (s: string) => new TextEncoder().encode(s);

describe('Redeliveries', () => {
  it('gives the earlier ingest of a message the gone connection held unacknowledged', () => {
    const r = new Redeliveries();
    const storing = Promise.resolve();
    r.received(7, T, bytes('{"value":1}'), storing);
    r.connectionLost();
    expect(r.take(7, T, bytes('{"value":1}'))).toBe(storing);
    expect(r.take(7, T, bytes('{"value":1}'))).toBeUndefined(); // once
  });

  it('matches an acknowledged message too (its PUBACK may be lost with the connection), not another topic or bytes', () => {
    const r = new Redeliveries();
    const stored = Promise.resolve();
    r.received(1, T, bytes('a'), stored);
    r.received(2, T, bytes('b'), Promise.resolve());
    r.received(3, T, bytes('c'), Promise.resolve());
    r.acknowledged(1);
    r.connectionLost();
    expect(r.take(1, T, bytes('a'))).toBe(stored); // the broker never got the PUBACK: not ingested twice
    expect(r.take(2, 'opsroom/v1/devices/e/readings', bytes('b'))).toBeUndefined();
    expect(r.take(3, T, bytes('C'))).toBeUndefined();
  });

  it('forgets an acknowledged message when the broker reuses its identifier, and keeps only the newest keepAcked', () => {
    const r = new Redeliveries(8192, 1 << 20, 2);
    r.received(1, T, bytes('a'), Promise.resolve());
    r.acknowledged(1);
    const fresh = Promise.resolve();
    r.received(1, T, bytes('a2'), fresh); // identifier 1 again: a new message
    for (const id of [2, 3, 4]) {
      r.received(id, T, bytes(String(id)), Promise.resolve());
      r.acknowledged(id);
    }
    r.connectionLost();
    expect(r.take(1, T, bytes('a'))).toBeUndefined();
    expect(r.take(1, T, bytes('a2'))).toBe(fresh);
    expect(r.take(2, T, bytes('2'))).toBeUndefined(); // past keepAcked
    expect(r.take(4, T, bytes('4'))).toBeDefined();
  });

  it('still matches after failed reconnection attempts, keeping only the newest `keep`', () => {
    const r = new Redeliveries(2);
    const first = Promise.resolve();
    r.received(1, T, bytes('a'), first);
    r.connectionLost();
    r.connectionLost(); // a reconnection attempt failed
    expect(r.take(1, T, bytes('a'))).toBe(first);
    for (const id of [2, 3, 4]) r.received(id, T, bytes(String(id)), Promise.resolve());
    r.connectionLost();
    expect(r.take(2, T, bytes('2'))).toBeUndefined();
    expect(r.take(4, T, bytes('4'))).toBeDefined();
  });

  it('keeps at most keepBytes of payload from gone connections, the newest', () => {
    const r = new Redeliveries(100, 10);
    r.received(1, T, bytes('aaaaaa'), Promise.resolve()); // 6 B
    r.received(2, T, bytes('bbbbbb'), Promise.resolve()); // 6 B: 12 > 10
    r.connectionLost();
    expect(r.take(1, T, bytes('aaaaaa'))).toBeUndefined();
    expect(r.take(2, T, bytes('bbbbbb'))).toBeDefined();
  });
});
