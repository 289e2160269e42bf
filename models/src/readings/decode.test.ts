import { describe, it, expect } from '@jest/globals';
import { decodeReadings, payloadFormat } from './decode.js';
import { decodeJsonReadings } from './json-codec.js';
import { decodeLineProtocol } from './line-protocol.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './reading.js';

/** 2025-11-27T12:00:00.000Z */
const NOW = 1_764_244_800_000;

const bytes = (s: string) => new TextEncoder().encode(s);
const limitsWith = (over: Partial<DecodeLimits>): DecodeLimits => ({ ...DEFAULT_DECODE_LIMITS, ...over });

describe('payloadFormat', () => {
  it.each([
    ['an object', '{"metric":"a","value":1}'],
    ['an array', '[{"metric":"a","value":1}]'],
    ['an object after spaces, tabs, CR and LF', ' \t\r\n {"metric":"a","value":1}'],
    ['an array after a blank line', '\n\n[]'],
    ['a broken array', '[{'],
  ])('reads %s as json', (_label, payload) => {
    expect(payloadFormat(payload)).toBe('json');
    expect(payloadFormat(bytes(payload))).toBe('json');
  });

  it.each([
    ['a line-protocol line', 'output value=1'],
    ['a comment before JSON', '# c\n{"metric":"a","value":1}'],
    ['a bare number', '42'],
    ['a bare JSON string', '"x"'],
    ['an empty payload', ''],
    ['only whitespace', ' \t\r\n'],
    ['a no-break space before an object', '\u00a0{"metric":"a","value":1}'],
    ['a form feed before an object', '\f{"metric":"a","value":1}'],
  ])('reads %s as line protocol', (_label, payload) => {
    expect(payloadFormat(payload)).toBe('line');
    expect(payloadFormat(bytes(payload))).toBe('line');
  });
});

describe('decodeReadings', () => {
  it('decodes a JSON payload with the JSON codec', () => {
    const payload = '  [{"metric":"output","value":12.5},{"metric":"9bad","value":1}]';
    const d = decodeReadings(payload, NOW);
    expect(d).toEqual(decodeJsonReadings(payload, NOW));
    expect(d.readings).toEqual([{ metric: 'output', value: 12.5, ts: NOW }]);
    expect(d.rejections.map((r) => [r.code, r.index])).toEqual([['bad_metric', 1]]);
  });

  it('decodes a line-protocol payload with the line-protocol codec', () => {
    const payload = 'energy kwh=3.1 1764244800000000000\nbroken';
    const d = decodeReadings(payload, NOW);
    expect(d).toEqual(decodeLineProtocol(payload, NOW));
    expect(d.readings).toEqual([{ metric: 'energy_kwh', value: 3.1, ts: NOW }]);
    expect(d.rejections.map((r) => [r.code, r.index])).toEqual([['malformed_line_protocol', 1]]);
  });

  it('decodes Uint8Array payloads of either format', () => {
    expect(decodeReadings(bytes('{"values":{"a":1,"b":2}}'), NOW).readings).toEqual([
      { metric: 'a', value: 1, ts: NOW },
      { metric: 'b', value: 2, ts: NOW },
    ]);
    expect(decodeReadings(bytes('a value=1\nb value=2'), NOW).readings).toEqual([
      { metric: 'a', value: 1, ts: NOW },
      { metric: 'b', value: 2, ts: NOW },
    ]);
  });

  it('reports broken JSON as malformed_json, not as a malformed line', () => {
    expect(decodeReadings('[{"metric":"a"', NOW).rejections.map((r) => r.code)).toEqual(['malformed_json']);
  });

  it('reports a bare JSON scalar as a malformed line, since it does not start with { or [', () => {
    expect(decodeReadings('42', NOW).rejections.map((r) => [r.code, r.index])).toEqual([
      ['malformed_line_protocol', 0],
    ]);
  });

  it('returns nothing and refuses nothing for an empty payload', () => {
    expect(decodeReadings('', NOW)).toEqual({ readings: [], rejections: [] });
    expect(decodeReadings(new Uint8Array(0), NOW)).toEqual({ readings: [], rejections: [] });
  });

  it('passes the limits on to either codec', () => {
    const small = limitsWith({ maxPayloadBytes: 10 });
    // '{"metric":"a","value":1}' is 24 bytes; 'output value=1' is 14.
    expect(decodeReadings('{"metric":"a","value":1}', NOW, small).rejections).toEqual([
      { code: 'payload_too_large', message: 'payload of 24 B exceeds 10 B' },
    ]);
    expect(decodeReadings('output value=1', NOW, small).rejections).toEqual([
      { code: 'payload_too_large', message: 'payload of 14 B exceeds 10 B' },
    ]);
    const two = limitsWith({ maxReadingsPerMessage: 2 });
    expect(
      decodeReadings('[{"metric":"a","value":1},{"metric":"b","value":2},{"metric":"c","value":3}]', NOW, two)
        .rejections,
    ).toEqual([{ code: 'too_many_readings', message: '3 readings exceed 2' }]);
    expect(
      decodeReadings('a value=1\nb value=2\nc value=3', NOW, two).rejections.map((r) => [r.code, r.index]),
    ).toEqual([['too_many_readings', 2]]);
  });

  it('passes the time window on to either codec', () => {
    const tight = limitsWith({ maxPastMs: 0, maxFutureMs: 0 });
    expect(decodeReadings(`{"metric":"a","value":1,"ts":${NOW - 1}}`, NOW, tight).rejections[0]!.code).toBe(
      'timestamp_out_of_range',
    );
    expect(decodeReadings('a value=1 1764244799999000000', NOW, tight).rejections[0]!.code).toBe(
      'timestamp_out_of_range',
    );
  });

  describe('with the default limits', () => {
    it('accepts a 262 144-byte payload and refuses a 262 145-byte one', () => {
      const fits = `[${' '.repeat(262_142)}]`;
      expect(fits.length).toBe(262_144);
      expect(decodeReadings(fits, NOW)).toEqual({ readings: [], rejections: [] });
      const over = `[${' '.repeat(262_143)}]`;
      expect(decodeReadings(over, NOW).rejections).toEqual([
        { code: 'payload_too_large', message: 'payload of 262145 B exceeds 262144 B' },
      ]);
      expect(decodeReadings(bytes(over), NOW).rejections[0]!.code).toBe('payload_too_large');
    });

    it('accepts a JSON batch of 10 000 readings and refuses one of 10 001', () => {
      const batch = (n: number) => `[${Array.from({ length: n }, () => '{"metric":"a","value":1}').join(',')}]`;
      expect(decodeReadings(batch(10_000), NOW).readings).toHaveLength(10_000);
      expect(decodeReadings(batch(10_001), NOW)).toEqual({
        readings: [],
        rejections: [{ code: 'too_many_readings', message: '10001 readings exceed 10000' }],
      });
    });

    it('keeps the first 10 000 line-protocol readings and refuses the 10 001st line', () => {
      const d = decodeReadings('a value=1\n'.repeat(10_001), NOW);
      expect(d.readings).toHaveLength(10_000);
      expect(d.rejections).toEqual([
        {
          code: 'too_many_readings',
          message: 'more than 10000 readings; the rest of the message was dropped',
          index: 10_000,
        },
      ]);
    });
  });
});
