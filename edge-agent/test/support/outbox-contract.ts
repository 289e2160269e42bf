import { describe, it, expect, afterEach } from '@jest/globals';
import type { Reading } from '@opsroom/models';
import { OutboxClosedError, type Outbox, type OutboxOptions } from '../../src/outbox/outbox.js';

/**
 * The behaviour every Outbox implementation must show. Each implementation's test file calls
 * this with a factory that opens a fresh, empty outbox.
 */
export function outboxContract(name: string, open: (opts?: OutboxOptions) => Outbox): void {
  const readings = (n: number, from = 0): Reading[] =>
    Array.from({ length: n }, (_, i) => ({
      metric: (from + i) % 2 ? 'energy' : 'output',
      value: (from + i) * 1.5,
      ts: 1_764_244_800_000 + (from + i) * 1000,
    }));

  describe(`${name} (outbox contract)`, () => {
    const opened: Outbox[] = [];
    const make = (opts?: OutboxOptions) => {
      const o = open(opts);
      opened.push(o);
      return o;
    };
    afterEach(() => {
      for (const o of opened.splice(0)) o.close();
    });

    it('starts empty and peeks an empty batch', () => {
      const o = make();
      expect(o.depth()).toBe(0);
      expect(o.dropped).toBe(0);
      expect(o.peek(10)).toEqual({ readings: [], lastSeq: 0 });
    });

    it('peeks the oldest readings in append order, at most the number asked, without removing them', () => {
      const o = make();
      o.append(readings(3, 0));
      o.append(readings(4, 3));
      expect(o.depth()).toBe(7);
      expect(o.peek(5).readings).toEqual(readings(5));
      expect(o.peek(100).readings).toEqual(readings(7));
      expect(o.depth()).toBe(7);
    });

    it('keeps values and timestamps exactly', () => {
      const o = make();
      const odd: Reading[] = [
        { metric: 'temperature', value: -12.345678901234, ts: 1 },
        { metric: 'x', value: 1e300, ts: 8_640_000_000_000_000 },
        { metric: 'y', value: 0, ts: 1_764_244_800_123 },
      ];
      o.append(odd);
      expect(o.peek(10).readings).toEqual(odd);
    });

    it('acks exactly the peeked batch, so the next peek continues where it ended', () => {
      const o = make();
      o.append(readings(10));
      const first = o.peek(4);
      expect(o.ack(first)).toBe(4);
      expect(o.depth()).toBe(6);
      expect(o.peek(100).readings).toEqual(readings(6, 4));
    });

    it('acks only what was peeked even when more arrived meanwhile', () => {
      const o = make();
      o.append(readings(3));
      const batch = o.peek(10);
      o.append(readings(2, 3));
      expect(o.ack(batch)).toBe(3);
      expect(o.peek(10).readings).toEqual(readings(2, 3));
    });

    it('removes nothing for an empty batch or a batch acked twice', () => {
      const o = make();
      expect(o.ack(o.peek(5))).toBe(0);
      o.append(readings(2));
      const b = o.peek(2);
      expect(o.ack(b)).toBe(2);
      o.append(readings(2, 2));
      expect(o.ack(b)).toBe(0);
      expect(o.depth()).toBe(2);
    });

    it('drops the oldest readings beyond its bound and counts them', () => {
      const o = make({ maxReadings: 5 });
      o.append(readings(4));
      o.append(readings(3, 4));
      expect(o.depth()).toBe(5);
      expect(o.dropped).toBe(2);
      expect(o.peek(10).readings).toEqual(readings(5, 2));
    });

    it('keeps only the newest readings of a single append larger than its bound', () => {
      const o = make({ maxReadings: 3 });
      o.append(readings(8));
      expect(o.depth()).toBe(3);
      expect(o.dropped).toBe(5);
      expect(o.peek(10).readings).toEqual(readings(3, 5));
    });

    it('acks a batch that overflow partly removed meanwhile without touching newer readings', () => {
      const o = make({ maxReadings: 4 });
      o.append(readings(4));
      const inFlight = o.peek(4);
      o.append(readings(2, 4)); // drops readings 0 and 1
      expect(o.dropped).toBe(2);
      expect(o.ack(inFlight)).toBe(2); // readings 2 and 3
      expect(o.peek(10).readings).toEqual(readings(2, 4));
    });

    it('refuses a bound that is not a positive integer', () => {
      expect(() => make({ maxReadings: 0 })).toThrow(/maxReadings must be an integer >= 1/);
    });

    it('refuses work after close, and closes twice without complaint', () => {
      const o = make();
      o.append(readings(1));
      o.close();
      o.close();
      expect(() => o.append(readings(1))).toThrow(OutboxClosedError);
      expect(() => o.peek(1)).toThrow(/outbox is closed/);
    });
  });
}
