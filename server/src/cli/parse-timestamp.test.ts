import { describe, expect, it } from '@jest/globals';
import { parseTimestamp } from './parse-timestamp.js';

const T = Date.UTC(2014, 3, 10, 7, 15); // 2014-04-10T07:15:00Z = 1397114100000

describe('parseTimestamp', () => {
  it('reads ISO-8601 with Z or a numeric offset', () => {
    expect(parseTimestamp('2014-04-10T07:15:00Z')).toBe(T);
    expect(parseTimestamp('2014-04-10t07:15:00z')).toBe(T);
    expect(parseTimestamp('2014-04-10T09:15:00+02:00')).toBe(T);
    expect(parseTimestamp('2014-04-10T09:15:00+0200')).toBe(T);
    expect(parseTimestamp('2014-04-10T09:15:00+02')).toBe(T);
    expect(parseTimestamp('2014-04-10T05:45:00-01:30')).toBe(T);
    expect(parseTimestamp('2014-04-10T07:15:00+00:00')).toBe(T);
  });

  it('reads ISO-8601 without an offset as UTC, whatever the machine time zone', () => {
    expect(parseTimestamp('2014-04-10 07:15:00')).toBe(T);
    expect(parseTimestamp('2014-04-10T07:15:00')).toBe(T);
    expect(parseTimestamp('2014-04-10T07:15')).toBe(T);
    expect(parseTimestamp('2014-04-10')).toBe(Date.UTC(2014, 3, 10));
  });

  it('reads fractional seconds', () => {
    expect(parseTimestamp('2014-04-10T07:15:00.5Z')).toBe(T + 500);
    expect(parseTimestamp('2014-04-10 07:15:00.250')).toBe(T + 250);
    expect(parseTimestamp('2014-04-10T07:15:00.123456Z')).toBeCloseTo(T + 123.456, 6);
  });

  it('reads an integer of 1e11 or more as epoch milliseconds', () => {
    expect(parseTimestamp('1397114100000')).toBe(T);
    expect(parseTimestamp('100000000000')).toBe(1e11);
  });

  it('reads an integer or decimal below 1e11 as epoch seconds', () => {
    expect(parseTimestamp('1397114100')).toBe(T);
    expect(parseTimestamp('1397114100.5')).toBe(T + 500);
    expect(parseTimestamp('1397114100.1')).toBe(T + 100); // not 1397114100100.0002
    expect(parseTimestamp('1397114100.0015')).toBeCloseTo(T + 1.5, 6);
    expect(parseTimestamp('99999999999')).toBe(99_999_999_999_000);
    expect(parseTimestamp('0')).toBe(0);
  });

  it('honours leap years and years before 100', () => {
    expect(parseTimestamp('2016-02-29')).toBe(Date.UTC(2016, 1, 29));
    expect(parseTimestamp('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
    expect(new Date(parseTimestamp('0099-12-31T00:00:00Z')!).getUTCFullYear()).toBe(99);
  });

  it.each([
    ['an empty string', ''],
    ['a word', 'timestamp'],
    ['a day-first date', '10/04/2014'],
    ['a decimal of 1e11 or more', '1397114100000.5'],
    ['a negative epoch', '-1397114100'],
    ['an exponent', '1.3e9'],
    ['surrounding spaces', ' 1397114100'],
    ['a 30th of February', '2014-02-30'],
    ['a 29th of February in 1900', '1900-02-29'],
    ['month 13', '2014-13-01'],
    ['hour 24', '2014-04-10T24:00:00Z'],
    ['a leap second', '2014-04-10T07:15:60Z'],
    ['an offset of 24 hours', '2014-04-10T07:15:00+24:00'],
    ['a two-digit year', '14-04-10'],
    ['a missing time after T', '2014-04-10T'],
    ['trailing text', '2014-04-10T07:15:00Z UTC'],
  ])('refuses %s', (_what, text) => {
    expect(parseTimestamp(text)).toBeNull();
  });
});
