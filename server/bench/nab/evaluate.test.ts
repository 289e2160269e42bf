import { describe, expect, it } from '@jest/globals';
import { parseNabCsv } from './csv.js';
import { shortHistory, timeCorpus, windowSegment } from './evaluate.js';
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

describe('shortHistory', () => {
  it('runs a fresh detector from H readings before each window to min(H, 500) after it, counting the window detected when an alert row falls inside it and alert rows outside every window past the segment probation as false', () => {
    const ts = (i: number) =>
      `2014-01-01 ${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00`;
    const values = Array.from({ length: 100 }, (_, i) => i);
    const series = parseNabCsv('timestamp,value\n' + values.map((v, i) => `${ts(i)},${v}`).join('\n'), 'x.csv');
    const file = { name: 'x.csv', series, labels: [[ts(40), ts(49)]] as Array<[string, string]> };
    const starts: number[] = [];
    const alertAt = new Set([31, 45, 55, 75]); // 31: in the probation; 45: inside the window; 55: false; 75: past the end
    const create = () => {
      let first = true;
      return {
        update(value: number): DetectorOutput {
          if (first) starts.push(value);
          first = false;
          return { score: 0, kind: 'none', probability: 0, forecast: null, alert: alertAt.has(value), learning: false };
        },
        snapshot: () => ({ type: 'probe', version: 1 }),
      };
    };
    // from 30 to 60 (exclusive), probation 30 + floor(0.15 · 30) = 34
    expect(shortHistory([file], create, 10)).toEqual({ history: 10, detected: 1, missed: 0, falseRows: 1, rows: 30 });
    alertAt.delete(45);
    expect(shortHistory([file], create, 10)).toMatchObject({ detected: 0, missed: 1, falseRows: 1 });
    // a history longer than the file's start runs from row 0; 500 readings after at most
    expect(shortHistory([file], create, 1000)).toMatchObject({ rows: 100 });
    expect(starts).toEqual([30, 30, 0]);
  });
});

describe('windowSegment', () => {
  it('spans H readings before the window to min(H, 500) after it within the file, with every overlapping window clipped and counted from its first row', () => {
    const windows = [
      { start: 5, end: 20 },
      { start: 40, end: 49 },
      { start: 95, end: 99 },
    ];
    expect(windowSegment(100, windows, windows[1]!, 30)).toEqual({
      from: 10,
      to: 80,
      windows: [
        { start: 0, end: 10 },
        { start: 30, end: 39 },
      ],
    });
    expect(windowSegment(100, windows, windows[1]!, 1000)).toMatchObject({ from: 0, to: 100 });
  });
});
