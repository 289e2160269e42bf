import { describe, it, expect } from '@jest/globals';
import { checkTimestamp, DEFAULT_DECODE_LIMITS, METRIC_PATTERN, type DecodeLimits } from './reading.js';

/** 2025-11-27T12:00:00.000Z */
const NOW = 1_764_244_800_000;
const WEEK_MS = 7 * 24 * 3600 * 1000; // 604 800 000
const FIVE_MIN_MS = 5 * 60 * 1000; // 300 000

describe('DEFAULT_DECODE_LIMITS', () => {
  it('allows 256 KiB, 10 000 readings, a week in the past and five minutes in the future', () => {
    expect(DEFAULT_DECODE_LIMITS).toEqual({
      maxPayloadBytes: 262_144,
      maxReadingsPerMessage: 10_000,
      maxPastMs: 604_800_000,
      maxFutureMs: 300_000,
    });
  });

  it('is frozen so no caller can loosen the limits for everyone', () => {
    expect(Object.isFrozen(DEFAULT_DECODE_LIMITS)).toBe(true);
  });
});

describe('METRIC_PATTERN', () => {
  it.each(['output', 'energy_kwh', 'A', 'x9', 'a'.repeat(64), 'Temp_2_C'])('accepts %j', (metric) => {
    expect(METRIC_PATTERN.test(metric)).toBe(true);
  });

  it.each(['', '9lives', '_x', 'a-b', 'a.b', 'a b', 'a,b', 'é', 'a'.repeat(65), 'ok\n'])('refuses %j', (metric) => {
    expect(METRIC_PATTERN.test(metric)).toBe(false);
  });
});

describe('checkTimestamp', () => {
  const limits = DEFAULT_DECODE_LIMITS;

  it('accepts the receive time itself', () => {
    expect(checkTimestamp(NOW, NOW, limits)).toBeNull();
  });

  it('accepts a timestamp exactly maxPastMs old', () => {
    expect(checkTimestamp(NOW - WEEK_MS, NOW, limits)).toBeNull();
  });

  it('accepts a timestamp exactly maxFutureMs ahead', () => {
    expect(checkTimestamp(NOW + FIVE_MIN_MS, NOW, limits)).toBeNull();
  });

  it('refuses a timestamp one millisecond older than maxPastMs, keeping the reading index', () => {
    const r = checkTimestamp(NOW - WEEK_MS - 1, NOW, limits, 7);
    expect(r).toMatchObject({ code: 'timestamp_out_of_range', index: 7 });
  });

  it('refuses a timestamp one millisecond further ahead than maxFutureMs', () => {
    const r = checkTimestamp(NOW + FIVE_MIN_MS + 1, NOW, limits, 0);
    expect(r).toMatchObject({ code: 'timestamp_out_of_range', index: 0 });
  });

  it('says which timestamp was refused and the accepted window', () => {
    // NOW + 300 001 ms = 2025-11-27T12:05:00.001Z
    const r = checkTimestamp(NOW + FIVE_MIN_MS + 1, NOW, limits);
    expect(r?.message).toBe('timestamp 2025-11-27T12:05:00.001Z is outside [now-604800000ms, now+300000ms]');
  });

  it('leaves index undefined when no index is given', () => {
    const r = checkTimestamp(0, NOW, limits);
    expect(r?.code).toBe('timestamp_out_of_range');
    expect(r?.index).toBeUndefined();
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('refuses %s as bad_timestamp', (_label, ts) => {
    expect(checkTimestamp(ts, NOW, limits, 3)).toEqual({
      code: 'bad_timestamp',
      message: 'timestamp is not a finite number',
      index: 3,
    });
  });

  it('uses the limits it is given, not the defaults', () => {
    const tight: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, maxPastMs: 1000, maxFutureMs: 0 };
    expect(checkTimestamp(NOW - 1000, NOW, tight)).toBeNull();
    expect(checkTimestamp(NOW - 1001, NOW, tight)?.code).toBe('timestamp_out_of_range');
    expect(checkTimestamp(NOW + 1, NOW, tight)?.code).toBe('timestamp_out_of_range');
  });

  it('refuses the epoch as far in the past', () => {
    expect(checkTimestamp(0, NOW, limits)?.code).toBe('timestamp_out_of_range');
  });

  // BUG: a finite timestamp beyond the Date range (|ts| > 8.64e15 ms) makes the message's
  // `new Date(ts).toISOString()` throw RangeError instead of returning a rejection.
  it('refuses a finite timestamp beyond the Date range without throwing', () => {
    expect(checkTimestamp(1e20, NOW, limits, 2)).toMatchObject({ code: 'timestamp_out_of_range', index: 2 });
  });

  it('refuses a finite timestamp just past the Date range without throwing', () => {
    expect(checkTimestamp(8.64e15 + 1, NOW, limits)).toMatchObject({ code: 'timestamp_out_of_range' });
  });
});
