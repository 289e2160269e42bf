import { describe, expect, it } from '@jest/globals';
import { canonicalTimestamp, parseNabCsv, parseNabTimestamp } from './csv.js';
import { probationaryRows, windowRows } from './windows.js';

describe('parseNabCsv', () => {
  it('reads timestamp,value rows in file order as UTC, skipping the header and a missing final newline', () => {
    const s = parseNabCsv('timestamp,value\r\n2014-04-10 07:15:00,3.5\n2014-04-10 07:10:00,-4e2');
    expect(s.timestamps).toEqual(['2014-04-10 07:15:00', '2014-04-10 07:10:00']);
    expect(s.times).toEqual([Date.UTC(2014, 3, 10, 7, 15), Date.UTC(2014, 3, 10, 7, 10)]);
    expect(s.values).toEqual([3.5, -400]);
  });

  it('rejects a bad row with the line number', () => {
    expect(() => parseNabCsv('timestamp,value\n2014-04-10 07:15:00,x\n', 'a.csv')).toThrow(/a\.csv:2/);
    expect(() => parseNabCsv('timestamp,value\n10/04/2014,1\n', 'a.csv')).toThrow(/a\.csv:2/);
  });

  it('parses timestamps with or without fractional seconds', () => {
    expect(parseNabTimestamp('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseNabTimestamp('yesterday')).toBeNaN();
    expect(canonicalTimestamp('2014-04-10 07:15:00.000000')).toBe('2014-04-10 07:15:00');
  });
});

describe('windowRows', () => {
  const ts = [
    '2014-01-01 00:00:00',
    '2014-01-01 00:05:00',
    '2014-01-01 00:05:00',
    '2014-01-01 00:10:00',
    '2014-01-01 00:15:00',
  ];

  it('maps label timestamps to rows, both ends included, sorted', () => {
    expect(
      windowRows(ts, [
        ['2014-01-01 00:10:00.000000', '2014-01-01 00:15:00.000000'],
        ['2014-01-01 00:00:00.000000', '2014-01-01 00:05:00.000000'],
      ]),
    ).toEqual([
      { start: 0, end: 2 },
      { start: 3, end: 4 },
    ]);
  });

  it('refuses a window whose timestamp is not in the file', () => {
    expect(() => windowRows(ts, [['2015-01-01 00:00:00', '2015-01-01 00:05:00']], 'x.csv')).toThrow(
      /x\.csv.*not in the file/,
    );
  });

  it("uses NAB's probationary period: 15% of the rows, at most 750", () => {
    expect(probationaryRows(4032)).toBe(604);
    expect(probationaryRows(22695)).toBe(750);
    expect(probationaryRows(10)).toBe(1);
  });
});
