import { describe, it, expect, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvReplaySource, parseReplayCsv } from './csv-replay.js';

const T0 = Date.UTC(2026, 0, 1);
const dir = mkdtempSync(join(tmpdir(), 'opsroom-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseReplayCsv', () => {
  it('reads timestamp,value with a header, naming the metric from the options', () => {
    expect(parseReplayCsv('ts,value\n1000,1.5\n\n# note\n2000,2\n', 'a.csv', 'temp')).toEqual([
      { ts: 1000, metric: 'temp', value: 1.5 },
      { ts: 2000, metric: 'temp', value: 2 },
    ]);
  });

  it('reads timestamp,metric,value with ISO dates, turning keys into metric ids', () => {
    expect(parseReplayCsv('2026-01-01T00:00:00Z,energy.kwh,3\n2026-01-01T00:00:01Z,water,4\n', 'a.csv')).toEqual([
      { ts: T0, metric: 'energy_kwh', value: 3 },
      { ts: T0 + 1000, metric: 'water', value: 4 },
    ]);
  });

  it('names the line at fault', () => {
    expect(() => parseReplayCsv('1000,a,1\n900,a,2\n', 'r.csv')).toThrow(
      'r.csv:2: timestamp 900 is earlier than the row before; sort the file by time',
    );
    expect(() => parseReplayCsv('1000,a,1\nyesterday,a,2\n', 'r.csv')).toThrow(
      /r\.csv:2: "yesterday" is not a timestamp/,
    );
    expect(() => parseReplayCsv('1000,a,x\n', 'r.csv')).toThrow(/no rows to replay/); // a lone non-numeric line is a header
    expect(() => parseReplayCsv('1000,a,1\n2000,a,x\n', 'r.csv')).toThrow(/r\.csv:2: "x" is not a number/);
    expect(() => parseReplayCsv('1000,1\n', 'r.csv')).toThrow(/needs the source's `metric`/);
    expect(() => parseReplayCsv('1000,a,1\n2000,1\n', 'r.csv')).toThrow(/r\.csv:2: 2 columns where the file has 3/);
  });
});

describe('CsvReplaySource', () => {
  const text = 'ts,metric,value\n0,a,1\n1000,a,2\n2000,a,3\n4000,b,4\n';

  it('replays rows as they come due at the speed factor, stamped when replayed', () => {
    const s = new CsvReplaySource({ name: 'r', file: 'x.csv', text, speed: 10 });
    expect(s.metrics).toEqual(['a', 'b']);
    expect(s.sample(T0)).toEqual([{ metric: 'a', value: 1, ts: T0 }]);
    expect(s.sample(T0 + 99)).toEqual([]);
    expect(s.sample(T0 + 250)).toEqual([
      { metric: 'a', value: 2, ts: T0 + 100 },
      { metric: 'a', value: 3, ts: T0 + 200 },
    ]);
    expect(s.sample(T0 + 400)).toEqual([{ metric: 'b', value: 4, ts: T0 + 400 }]);
    expect(s.sample(T0 + 10_000)).toEqual([]);
    expect(s.remaining).toBe(0);
  });

  it('keeps the recorded stamps when asked, and loops when asked', () => {
    const original = new CsvReplaySource({ name: 'r', file: 'x.csv', text, speed: 1000, timestamps: 'original' });
    expect(original.sample(T0).map((r) => r.ts)).toEqual([0]);
    expect(original.sample(T0 + 5).map((r) => r.ts)).toEqual([1000, 2000, 4000]);
    const looping = new CsvReplaySource({ name: 'r', file: 'x.csv', text, speed: 1000, loop: true });
    looping.sample(T0);
    expect(looping.sample(T0 + 5)).toHaveLength(3);
    expect(looping.sample(T0 + 6).map((r) => r.value)).toEqual([1]);
    expect(
      () => new CsvReplaySource({ name: 'r', file: 'x.csv', text, speed: 1, loop: true, timestamps: 'original' }),
    ).toThrow(/cannot loop with original timestamps/);
  });

  it('keeps replay stamps of one metric increasing when a high speed squeezes rows into one ms', () => {
    const s = new CsvReplaySource({ name: 'r', file: 'x.csv', text: '0,a,1\n1,a,2\n2,a,3\n', speed: 1000 });
    expect(s.sample(T0).map((r) => r.ts)).toEqual([T0]);
    expect(s.sample(T0 + 1).map((r) => r.ts)).toEqual([T0 + 1, T0 + 2]); // both due at T0 + 0.00x ms
  });

  it('resumes after a restart from the position saved at the last checkpoint', () => {
    const stateFile = join(dir, 'pos.json');
    const a = new CsvReplaySource({ name: 'r', file: 'x.csv', text, speed: 1, stateFile, checkpointEveryMs: 0 });
    expect(a.sample(T0)).toHaveLength(1);
    expect(a.sample(T0 + 1001)).toHaveLength(1);
    a.checkpoint(T0 + 1001);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({ file: 'x.csv', rows: 4, next: 2 });
    expect(a.sample(T0 + 2001)).toHaveLength(1); // sampled but never checkpointed: a crash now repeats row 3
    const b = new CsvReplaySource({ name: 'r', file: 'x.csv', text, speed: 1, stateFile });
    expect(b.sample(T0 + 10_000).map((r) => r.value)).toEqual([3]);
    expect(b.sample(T0 + 12_000).map((r) => r.value)).toEqual([4]);
  });

  it('starts over when the saved position belongs to another file', () => {
    const stateFile = join(dir, 'other.json');
    writeFileSync(stateFile, JSON.stringify({ file: 'y.csv', rows: 4, next: 3 }));
    const s = new CsvReplaySource({ name: 'r', file: 'x.csv', text, speed: 1, stateFile });
    expect(s.remaining).toBe(4);
  });
});
