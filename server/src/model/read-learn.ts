// `capability:` and `potentiality:` — a number set in the model, or `learned` from history (issue 20 point 3):
//   capability: 120                                          set
//   capability: learned                                      learned by the default rule
//   capability: { learn: { percentile: 90, window_days: 14 }, fallback: 100 }
import {
  DEFAULT_CAPABILITY_RULE,
  DEFAULT_POTENTIALITY_RULE,
  MAX_LEARN_WINDOW_DAYS,
  type LearnRule,
} from '@opsroom/models';
import { isMap, isScalar } from 'yaml';
import { didYouMeanSuffix } from './did-you-mean.js';
import { checkNumber, describeNode, openMap, readNumber } from './fields.js';
import type { MapFields, MapShape } from './fields.js';

export const LEARNED_LEVEL_SHAPE: MapShape = {
  what: 'a learned level',
  keys: ['learn', 'fallback'],
  required: ['learn'],
};
export const LEARN_RULE_SHAPE: MapShape = { what: 'a learning rule', keys: ['percentile', 'window_days'] };

export type LevelKey = 'capability' | 'potentiality';

const DEFAULT_RULE: Record<LevelKey, Readonly<LearnRule>> = {
  capability: DEFAULT_CAPABILITY_RULE,
  potentiality: DEFAULT_POTENTIALITY_RULE,
};

const LEARNED = 'learned';

/** A level as read: a number set, or a rule to learn it by (its fallback inside). */
export type ReadLevel = { set: number } | { learn: LearnRule };

/**
 * Reads `capability:` or `potentiality:` of `f`. `numbers`: whether a plain number may be set here (a node's
 * `levels:`); an indicator's levels are only learned (every node learns its own), its numbers are set per node.
 */
export function readLevel(f: MapFields, key: LevelKey, numbers: boolean): ReadLevel | undefined {
  const v = f.value(key);
  if (v === undefined) return undefined;
  const short = `${numbers ? 'a number, ' : ''}"${LEARNED}" or { learn: … }`;
  const expected =
    (numbers ? 'a number, ' : '') +
    `"${LEARNED}", or { learn: { percentile, window_days }, fallback } (README: capability and potentiality)`;
  if (isScalar(v) && typeof v.value === 'number') {
    if (!numbers) {
      f.r.report(
        v,
        f.pathOf(key),
        `an indicator's "${key}" can only be learned ("${key}: ${LEARNED}"); set a number per node under "levels:"`,
        expected,
      );
      return undefined;
    }
    const n = checkNumber(f.r, v, f.pathOf(key), `"${key}"`, { expected });
    return n === undefined ? undefined : { set: n };
  }
  if (isScalar(v) && v.value === LEARNED) return { learn: { ...DEFAULT_RULE[key] } };
  if (isMap(v)) return readLearned(f, key, v);
  const hint = isScalar(v) && typeof v.value === 'string' ? didYouMeanSuffix(v.value, [LEARNED]) : '';
  f.r.report(v, f.pathOf(key), `"${key}" must be ${short}, not ${describeNode(v)}${hint}`, expected);
  return undefined;
}

function readLearned(f: MapFields, key: LevelKey, v: Parameters<typeof openMap>[1]): ReadLevel | undefined {
  const g = openMap(f.r, v, f.pathOf(key), LEARNED_LEVEL_SHAPE);
  if (!g) return undefined;
  const fallback = readNumber(g, 'fallback', { expected: 'a number, used until enough history is learned' });
  const ruleNode = g.value('learn');
  if (ruleNode === undefined || (g.has('fallback') && fallback === undefined)) return undefined;
  const h = openMap(f.r, ruleNode, g.pathOf('learn'), LEARN_RULE_SHAPE);
  if (!h) return undefined;
  const percentile = readNumber(h, 'percentile', {
    expected: 'a percentile above 0, at most 100 (e.g. 95)',
    accept: (n) => n > 0 && n <= 100,
  });
  const windowDays = readNumber(h, 'window_days', {
    expected: `a number of days above 0, at most ${MAX_LEARN_WINDOW_DAYS} (e.g. 28)`,
    accept: (n) => n > 0 && n <= MAX_LEARN_WINDOW_DAYS,
  });
  if ((h.has('percentile') && percentile === undefined) || (h.has('window_days') && windowDays === undefined))
    return undefined;
  const rule: LearnRule = {
    percentile: percentile ?? DEFAULT_RULE[key].percentile,
    windowDays: windowDays ?? DEFAULT_RULE[key].windowDays,
  };
  if (fallback !== undefined) rule.fallback = fallback;
  return { learn: rule };
}
