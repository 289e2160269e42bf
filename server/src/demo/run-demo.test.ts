import { describe, expect, it } from '@jest/globals';
import { tinyModel } from '../../test/support/tiny-model.js';
import { demoMetrics } from './run-demo.js';

describe('demoMetrics', () => {
  it('publishes one series per indicator of the model', () => {
    const model = tinyModel([
      { id: 'output', name: 'Output', unit: 'u', rollup: 'sum' },
      { id: 'feed', name: 'Feed', unit: 'kg', rollup: 'sum' },
    ]);
    expect(Object.keys(demoMetrics(model)).sort()).toEqual(['feed', 'output']);
  });

  it('runs a workshop at about 80 % of the capability its node states', () => {
    const model = tinyModel();
    // r/a/a1 has output capability 10 in the tiny model; r/b/b1 states none.
    expect(demoMetrics(model, 'r/a/a1').output!.base).toBeCloseTo(8);
    expect(demoMetrics(model, 'r/b/b1').output!.base).toBe(120);
  });
});
