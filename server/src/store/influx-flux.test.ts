import { describe, expect, it } from '@jest/globals';
import { countBeforeFlux, latestFlux, parseFluxTime, rangeFlux } from './influx-flux.js';

const T0 = 1_700_000_000_000; // 2023-11-14T22:13:20.000Z

describe('rangeFlux', () => {
  const q = {
    node: 'valle/norte',
    metric: 'output',
    from: T0,
    to: T0 + 59_999,
    windowMs: undefined,
    aggregate: 'mean' as const,
  };

  it('selects one series over [from, to] with stop = to + 1 ms, merged and sorted by time for raw points', () => {
    const text = rangeFlux('opsroom', q);
    expect(text).toContain('from(bucket: "opsroom")');
    expect(text).toContain(
      'range(start: time(v: "2023-11-14T22:13:20.000Z"), stop: time(v: "2023-11-14T22:14:20.000Z"))',
    );
    expect(text).toContain('r._measurement == "output" and r._field == "value" and r.node == "valle/norte"');
    expect(text).toMatch(/\|> group\(\)\s*\|> sort\(columns: \["_time", "device"\]\)$/);
    expect(text).not.toContain('aggregateWindow');
  });

  it('aggregates epoch-aligned windows stamped with their start', () => {
    expect(rangeFlux('opsroom', { ...q, windowMs: 60_000, aggregate: 'max' })).toContain(
      'aggregateWindow(every: 60000ms, fn: max, createEmpty: false, timeSrc: "_start")',
    );
  });

  it('quotes names so that a node cannot inject Flux', () => {
    expect(rangeFlux('b', { ...q, node: 'x" or true or "' })).toContain('r.node == "x\\" or true or \\""');
  });
});

describe('latestFlux and countBeforeFlux', () => {
  it('takes the last value of every series, optionally of some nodes', () => {
    expect(latestFlux('b', 0)).toMatch(
      /range\(start: time\(v: "1970-01-01T00:00:00.000Z"\)\)[\s\S]*r._field == "value"\)\s*\|> last\(\)$/,
    );
    expect(latestFlux('b', 0, ['a', 'b/c'])).toContain(
      'r._field == "value" and contains(value: r.node, set: ["a","b/c"]))',
    );
  });

  it('counts the points older than the cut-off in one table', () => {
    expect(countBeforeFlux('b', T0)).toMatch(
      /stop: time\(v: "2023-11-14T22:13:20.000Z"\)[\s\S]*\|> group\(\)\s*\|> count\(\)$/,
    );
  });
});

describe('parseFluxTime', () => {
  it('reads RFC3339 with nanoseconds as ms and refuses garbage', () => {
    expect(parseFluxTime('2023-11-14T22:13:20.123456789Z')).toBe(T0 + 123);
    expect(() => parseFluxTime('yesterday')).toThrow(/RFC3339/);
  });
});
