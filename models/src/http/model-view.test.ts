import { describe, expect, it } from '@jest/globals';
import type { Static } from 'typebox';
import { Check, Errors } from 'typebox/value';
import type { IndicatorDef, Levels } from '../vsm/model.js';
import { IndicatorDefSchema, LevelsSchema, ModelViewSchema, type ModelView } from './model-view.js';

/**
 * Compiles only when A and B are assignable both ways and have the same keys (an optional field
 * only one of them has would pass assignability): the schema and the model's type say the same.
 */
type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;
const sameIndicator: Same<Static<typeof IndicatorDefSchema>, IndicatorDef> = true;
const sameLevels: Same<Static<typeof LevelsSchema>, Levels> = true;

const view: ModelView = {
  name: 'Valle',
  scope: 'valle/norte',
  levels: ['region', 'council'],
  indicators: [
    { id: 'output', name: 'output', unit: 'u/h', rollup: 'sum', priority: 'high' },
    {
      id: 'energy',
      name: 'energy',
      unit: 'kWh',
      rollup: 'mean',
      learn: { capability: { percentile: 95, windowDays: 28 } },
    },
  ],
  nodes: [
    {
      path: 'valle/norte',
      name: 'Norte',
      depth: 1,
      level: 'council',
      children: [],
      correctionWindowSec: 600,
      levels: { output: { capability: 10, potentiality: 20 } },
      values: [],
    },
  ],
  valuesAt: 1_764_244_800_000,
  people: [{ name: 'p', displayName: 'Pat', scope: 'valle' }],
};

describe('ModelViewSchema', () => {
  it("is the model's own indicator and levels types (checked when this file compiles)", () => {
    expect([sameIndicator, sameLevels]).toEqual([true, true]);
  });

  it('accepts a view and refuses an unknown roll-up, a field it does not know and a missing one', () => {
    expect([...Errors(ModelViewSchema, view)]).toEqual([]);
    const bad = (patch: object) => Check(ModelViewSchema, { ...view, ...patch });
    expect(bad({ indicators: [{ ...view.indicators[0], rollup: 'median' }] })).toBe(false);
    expect(bad({ secret: 'x' })).toBe(false);
    expect(bad({ nodes: [{ ...view.nodes[0], correctionWindowSec: undefined }] })).toBe(false);
  });
});
