// Capability and potentiality learned from history (issue 20 point 3): the rule, as a pure function of a
// series' hourly means, and which levels of a model are learned.
import { MIN_LEARN_HOURS, type LearnRule, type Model } from '@opsroom/models';
import { LEVEL_KINDS, learnRuleOf, type LevelKind } from './levels.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * The `p`-th percentile (0 < p ≤ 100) of ascending `sorted` values, by linear interpolation between the
 * closest ranks (the usual definition: numpy's default, R's type 7). Undefined for no values.
 * @example percentile([1, 2, 3, 4], 50) // 2.5
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const h = (sorted.length - 1) * (p / 100);
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  return a + (h - lo) * (b - a);
}

/**
 * A level learned by `rule` from a node's hourly means of actuality (`points`: one per hour that holds a value,
 * window start `ts`, any order): the rule's percentile of those whose hour lies in the trailing window
 * `(now − windowDays, now]`, once at least {@link MIN_LEARN_HOURS} of them hold a finite value; undefined before
 * (the caller then uses the rule's fallback, if any). Hourly means, not raw readings: one spike does not set a
 * capability, a good hour does.
 * @example learnLevel(a day and a half of hourly means 1..36, { percentile: 95, windowDays: 28 }, now) // 34.25
 */
export function learnLevel(
  points: ReadonlyArray<{ ts: number; value: number }>,
  rule: Pick<LearnRule, 'percentile' | 'windowDays'>,
  now: number,
): number | undefined {
  const from = now - rule.windowDays * DAY_MS;
  const values: number[] = [];
  for (const p of points) if (p.ts + HOUR_MS > from && p.ts <= now && Number.isFinite(p.value)) values.push(p.value);
  if (values.length < MIN_LEARN_HOURS) return undefined;
  values.sort((a, b) => a - b);
  return percentile(values, rule.percentile);
}

/** One node and indicator that learns a level or both, with the rules. */
export interface LearnTarget {
  node: string;
  indicator: string;
  rules: Partial<Record<LevelKind, LearnRule>>;
  /** The longest of its rules' windows, days: what is read. */
  windowDays: number;
}

/** Every node and indicator of `model` that learns a level (model order: depth-first from the root). */
export function learnTargets(model: Model): LearnTarget[] {
  const out: LearnTarget[] = [];
  for (const node of model.nodes.values()) {
    for (const ind of model.indicators) {
      const rules: Partial<Record<LevelKind, LearnRule>> = {};
      let windowDays = 0;
      for (const kind of LEVEL_KINDS) {
        const rule = learnRuleOf(model, node, ind.id, kind);
        if (!rule) continue;
        rules[kind] = rule;
        windowDays = Math.max(windowDays, rule.windowDays);
      }
      if (windowDays > 0) out.push({ node: node.path, indicator: ind.id, rules, windowDays });
    }
  }
  return out;
}
