import type { RollupRule } from './model.js';

/** One child's contribution to a roll-up. */
export interface RollupInput {
  value: number;
  /** Weight for `weighted_mean`; ignored by the other rules. */
  weight?: number;
}

/**
 * A parent's value from its children's by the indicator's rule; null when no child has a value
 * (never a silent zero).
 * @example rollup('sum', [{ value: 2 }, { value: 3 }]) // 5
 * @example rollup('weighted_mean', [{ value: 10, weight: 1 }, { value: 20, weight: 3 }]) // 17.5
 */
export function rollup(rule: RollupRule, inputs: readonly RollupInput[]): number | null {
  if (inputs.length === 0) return null;
  switch (rule) {
    case 'sum': {
      let s = 0;
      for (const i of inputs) s += i.value;
      return s;
    }
    case 'mean': {
      let s = 0;
      for (const i of inputs) s += i.value;
      return s / inputs.length;
    }
    case 'weighted_mean': {
      let s = 0;
      let w = 0;
      for (const i of inputs) {
        const wi = i.weight ?? 1;
        s += i.value * wi;
        w += wi;
      }
      return w > 0 ? s / w : null;
    }
    case 'min': {
      let m = Infinity;
      for (const i of inputs) if (i.value < m) m = i.value;
      return m;
    }
    case 'max': {
      let m = -Infinity;
      for (const i of inputs) if (i.value > m) m = i.value;
      return m;
    }
  }
}
