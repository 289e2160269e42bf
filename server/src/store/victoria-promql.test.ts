import { describe, expect, it } from '@jest/globals';
import {
  allSelector,
  clampRange,
  metricOfName,
  parseExport,
  parseQueryAnswer,
  perNameExpression,
  planWindows,
  promTime,
  seriesSelector,
  windowExpression,
} from './victoria-promql.js';
import { flagWarnings, goDurationMs } from './victoria-store.js';

describe('selectors', () => {
  it('quote names as Go strings so that no node or metric ends the literal', () => {
    expect(seriesSelector('valle/norte', 'output')).toBe('{__name__="output_value",node="valle/norte"}');
    expect(seriesSelector('x",node=~".*', 'm')).toBe('{__name__="m_value",node="x\\",node=~\\".*"}');
  });

  it('match exactly the nodes asked for, regex characters escaped', () => {
    expect(allSelector()).toBe('{__name__=~".+_value",node!="",device!=""}');
    expect(allSelector(['a.b', 'c|d'])).toBe('{__name__=~".+_value",node=~"a\\\\.b|c\\\\|d",device!=""}');
  });

  it('map stored names back to metrics, refusing names that are not ours', () => {
    expect(metricOfName('output_value')).toBe('output');
    expect(metricOfName('a_value_value')).toBe('a_value');
    expect(metricOfName('_value')).toBeNull();
    expect(metricOfName('go_gc_duration_seconds')).toBeNull();
  });
});

describe('expressions', () => {
  it('reduce every device of a window', () => {
    const s = '{__name__="o_value",node="a"}';
    expect(windowExpression(s, 'count', 10_000)).toBe(`sum(count_over_time(${s}[10000ms]))`);
    expect(windowExpression(s, 'mean', 5)).toBe(`sum(sum_over_time(${s}[5ms])) / sum(count_over_time(${s}[5ms]))`);
    expect(perNameExpression('tlast_over_time', ['a_value', 'b_value'], 60_000)).toBe(
      'label_set(tlast_over_time({__name__="a_value",node!="",device!=""}[60000ms]), "opsroom_name", "a_value") or ' +
        'label_set(tlast_over_time({__name__="b_value",node!="",device!=""}[60000ms]), "opsroom_name", "b_value")',
    );
  });
});

describe('planWindows', () => {
  it('evaluates whole windows at their last ms and clips windows the range cuts', () => {
    // [4 s, 19.999 s] in 10 s windows: window 0 clipped to [4 s, 9.999 s]; window 10 s whole.
    expect(planWindows(4_000, 19_999, 10_000)).toEqual({
      runs: [{ first: 10_000, last: 10_000 }],
      clipped: [{ bucket: 0, at: 9_999, lookbehindMs: 6_000 }],
    });
    // [0, 25 s]: windows 0 and 10 s whole, window 20 s clipped to [20 s, 25 s].
    expect(planWindows(0, 25_000, 10_000)).toEqual({
      runs: [{ first: 0, last: 10_000 }],
      clipped: [{ bucket: 20_000, at: 25_000, lookbehindMs: 5_001 }],
    });
    // One window cut at both ends.
    expect(planWindows(3, 5, 10)).toEqual({ runs: [], clipped: [{ bucket: 0, at: 5, lookbehindMs: 3 }] });
    // One whole window.
    expect(planWindows(10, 19, 10)).toEqual({ runs: [{ first: 10, last: 10 }], clipped: [] });
  });

  it('splits long runs into queries of at most 10,000 windows', () => {
    const plan = planWindows(0, 25_000 * 60_000 - 1, 60_000);
    expect(plan.clipped).toEqual([]);
    expect(plan.runs.map((r) => [r.first / 60_000, r.last / 60_000])).toEqual([
      [0, 9_999],
      [10_000, 19_999],
      [20_000, 24_999],
    ]);
  });
});

describe('times and answers', () => {
  it('write ms as seconds with three decimals and clamp ranges to whole ms', () => {
    expect(promTime(1_700_000_000_007)).toBe('1700000000.007');
    expect(promTime(0)).toBe('0.000');
    expect(clampRange(-5, 2.5)).toEqual({ from: 0, to: 2 });
    expect(clampRange(1.2, 1.8)).toBeNull();
  });

  it('merges exported series oldest first, ties by device', () => {
    const text = [
      JSON.stringify({ metric: { device: 'd2' }, values: [3, 4], timestamps: [10, 30] }),
      JSON.stringify({ metric: { device: 'd1' }, values: [1, 2, null], timestamps: [10, 20, 40] }),
      '',
    ].join('\n');
    expect(parseExport(text)).toEqual([
      { ts: 10, value: 1 },
      { ts: 10, value: 3 },
      { ts: 20, value: 2 },
      { ts: 30, value: 4 },
    ]);
  });

  it("reads query answers and passes VictoriaMetrics' own error on", () => {
    expect(
      parseQueryAnswer({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { a: 'b' }, value: [1, '2'] }] },
      }),
    ).toEqual([{ metric: { a: 'b' }, values: [[1, '2']] }]);
    expect(() => parseQueryAnswer({ status: 'error', error: 'cannot parse' })).toThrow(/answered error: cannot parse/);
  });
});

describe('server flags', () => {
  it('reads Go durations', () => {
    expect(goDurationMs('1ms')).toBe(1);
    expect(goDurationMs('1m30s')).toBe(90_000);
    expect(goDurationMs('soon')).toBeNaN();
  });

  it('warns when dedup or the latency offset is not what the store relies on', () => {
    expect(flagWarnings('-dedup.minScrapeInterval="1ms"\n-search.latencyOffset="0s"\n')).toEqual([]);
    const w = flagWarnings('-retentionPeriod="1y"\n');
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/dedup.minScrapeInterval is not set/);
    expect(w[1]).toMatch(/latencyOffset is 30s/);
    expect(flagWarnings('-dedup.minScrapeInterval="30s"\n-search.latencyOffset="1s"')).toEqual([
      expect.stringMatching(/closer than that are kept as one/),
    ]);
  });
});
