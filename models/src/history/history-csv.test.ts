import { describe, expect, it } from '@jest/globals';
import { csvField, historyCsv, HISTORY_CSV_COLUMNS } from './history-csv.js';

describe('historyCsv', () => {
  it('writes a header row, then one row per point with ISO and epoch time, CRLF line ends', () => {
    const csv = historyCsv([
      {
        node: 'valle/norte',
        indicator: 'output',
        unit: 't/d',
        aggregate: 'mean',
        stepMs: 60_000,
        points: [
          { ts: 0, value: 1.5 },
          { ts: 60_000, value: -2 },
        ],
      },
      { node: 'valle', indicator: 'output', aggregate: null, stepMs: null, points: [{ ts: 1000, value: 3 }] },
    ]);
    expect(csv.split('\r\n')).toEqual([
      HISTORY_CSV_COLUMNS.join(','),
      '1970-01-01T00:00:00.000Z,0,valle/norte,output,t/d,mean,60000,1.5',
      '1970-01-01T00:01:00.000Z,60000,valle/norte,output,t/d,mean,60000,-2',
      '1970-01-01T00:00:01.000Z,1000,valle,output,,raw,,3',
      '',
    ]);
  });

  it('is only the header row when there is nothing to write', () => {
    expect(historyCsv([])).toBe('time,ts,node,indicator,unit,aggregate,step_ms,value\r\n');
  });

  it('quotes fields holding a comma, a quote or a line break, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('plain')).toBe('plain');
    expect(
      historyCsv([{ node: 'a,b', indicator: 'x', aggregate: null, stepMs: null, points: [{ ts: 0, value: 1 }] }]),
    ).toContain(',"a,b",x,');
  });
});
