import { describe, expect, it } from '@jest/globals';
import { parseNabCsv } from './csv.js';
import { timeCorpus } from './evaluate.js';
import type { DetectorOutput } from '../../src/vsm/detectors/detector.js';

describe('timeCorpus', () => {
  it('runs every reading of every file, in order, through a fresh detector per file and returns a time per reading', () => {
    const file = (name: string, values: number[]) => ({
      name,
      labels: [],
      series: parseNabCsv('timestamp,value\n' + values.map((v, i) => `2014-01-01 00:0${i}:00,${v}`).join('\n'), name),
    });
    const seen: Array<Array<[number, number]>> = [];
    const create = () => {
      const mine: Array<[number, number]> = [];
      seen.push(mine);
      return {
        update(value: number, ts: number): DetectorOutput {
          mine.push([value, ts]);
          return { score: 0, kind: 'none', probability: 0, forecast: null, alert: false, learning: false };
        },
        snapshot: () => ({ type: 'probe', version: 1 }),
      };
    };
    const ns = timeCorpus([file('a.csv', [1, 2, 3]), file('b.csv', [4, 5])], create);
    expect(ns).toBeGreaterThan(0);
    expect(seen.map((d) => d.map(([v]) => v))).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(seen[1]!.map(([, ts]) => ts)).toEqual([Date.UTC(2014, 0, 1, 0, 0), Date.UTC(2014, 0, 1, 0, 1)]);
  });
});
