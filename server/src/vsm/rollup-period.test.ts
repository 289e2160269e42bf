import { describe, expect, it } from '@jest/globals';
import type { IndicatorUpdate } from '@opsroom/models';
import { tinyModel } from '../../test/support/tiny-model.js';
import { parentRollupPoints, ROLLUP_DEVICE } from './rollup-period.js';

const update = (node: string, value: number | null, stale = false) =>
  ({ node, indicator: 'output', ts: 1, value, stale, missingChildren: 0 }) as IndicatorUpdate;

describe('parentRollupPoints', () => {
  it('stores fresh values of parents only, under the roll-up device, at the period end', () => {
    const points = parentRollupPoints(
      [update('r', 40), update('r/a', 30), update('r/a/a1', 10), update('r/b', null), update('r/b', 5, true)],
      tinyModel(),
      1234,
    );
    expect(points).toEqual([
      { node: 'r', metric: 'output', deviceId: ROLLUP_DEVICE, ts: 1234, value: 40 },
      { node: 'r/a', metric: 'output', deviceId: ROLLUP_DEVICE, ts: 1234, value: 30 },
    ]);
  });
});
