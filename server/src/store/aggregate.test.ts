import { describe, expect, it } from '@jest/globals';
import { aggregateWindows, bucketStart } from './aggregate.js';

describe('bucketStart', () => {
  it('gives the start of the epoch-aligned window that holds ts', () => {
    expect(bucketStart(61_500, 60_000)).toBe(60_000);
    expect(bucketStart(60_000, 60_000)).toBe(60_000);
    expect(bucketStart(59_999, 60_000)).toBe(0);
  });
});

describe('aggregateWindows', () => {
  const points = [
    { ts: 0, value: 1 },
    { ts: 500, value: 3 },
    { ts: 1000, value: 5 },
    { ts: 1999, value: 7 },
  ];

  it.each([
    ['mean', [2, 6]],
    ['min', [1, 5]],
    ['max', [3, 7]],
    ['last', [3, 7]],
    ['count', [2, 2]],
  ] as const)('reduces the worked example with %s', (aggregate, values) => {
    expect(aggregateWindows(points, 1000, aggregate)).toEqual([
      { ts: 0, value: values[0] },
      { ts: 1000, value: values[1] },
    ]);
  });

  it('leaves out empty windows and returns nothing for no points', () => {
    expect(
      aggregateWindows(
        [
          { ts: 100, value: 1 },
          { ts: 5_100, value: 2 },
        ],
        1000,
        'count',
      ),
    ).toEqual([
      { ts: 0, value: 1 },
      { ts: 5000, value: 1 },
    ]);
    expect(aggregateWindows([], 1000, 'mean')).toEqual([]);
  });
});
