import { rollup, type LearnRule, type LevelSource, type Model, type ModelNode } from '@opsroom/models';

/** The two levels a model may set or learn. */
export const LEVEL_KINDS = ['capability', 'potentiality'] as const;
export type LevelKind = (typeof LEVEL_KINDS)[number];

/** A node's effective capability and potentiality for one indicator, each with where it comes from. */
export interface EffectiveLevels {
  capability?: number;
  potentiality?: number;
  capabilitySource?: LevelSource;
  potentialitySource?: LevelSource;
}

/** Learned values by node path, then indicator id (what LevelLearner found in the store's history). */
export type LearnedLevels = ReadonlyMap<string, ReadonlyMap<string, { capability?: number; potentiality?: number }>>;

/**
 * The rule a node learns one level of one indicator by, if it learns it: the node's own (`levels:`), else the
 * indicator's, unless the node sets a number for it (a number set at the node always wins).
 */
export function learnRuleOf(model: Model, node: ModelNode, indicator: string, kind: LevelKind): LearnRule | undefined {
  const own = node.levels[indicator];
  if (own?.[kind] !== undefined) return undefined;
  return own?.learn?.[kind] ?? model.indicators.find((i) => i.id === indicator)?.learn?.[kind];
}

/**
 * Capability and potentiality of every node and indicator, in this order: a number set at the node; a value
 * learned from the node's history (its rule is the node's `levels:` or the indicator's; `learned`); the rule's
 * `fallback` while nothing is learned yet; otherwise a parent's comes from its children's by the indicator's
 * roll-up rule, when every child has one (a partial sum would understate it) — `learned` when any child's is.
 * Computed once per model and again whenever learned values change.
 * @example a council with two cooperatives of capability 100 and 120 (rule sum) has capability 220.
 */
export function effectiveLevels(model: Model, learned?: LearnedLevels): Map<string, Map<string, EffectiveLevels>> {
  const out = new Map<string, Map<string, EffectiveLevels>>();
  const visit = (path: string): Map<string, EffectiveLevels> => {
    const done = out.get(path);
    if (done) return done;
    const node = model.nodes.get(path)!;
    const kids = node.children.map(visit);
    const mine = new Map<string, EffectiveLevels>();
    for (const ind of model.indicators) {
      const fixed = node.levels[ind.id] ?? {};
      const derive = (k: LevelKind): { value: number; source: LevelSource } | undefined => {
        const set = fixed[k];
        if (set !== undefined) return { value: set, source: 'set' };
        const rule = fixed.learn?.[k] ?? ind.learn?.[k];
        if (rule) {
          const value = learned?.get(path)?.get(ind.id)?.[k];
          if (value !== undefined) return { value, source: 'learned' };
          if (rule.fallback !== undefined) return { value: rule.fallback, source: 'set' };
        }
        if (kids.length === 0) return undefined;
        const inputs = [];
        let source: LevelSource = 'set';
        for (let i = 0; i < kids.length; i++) {
          const l = kids[i]!.get(ind.id);
          const v = l?.[k];
          if (v === undefined) return undefined;
          if (l?.[`${k}Source`] === 'learned') source = 'learned';
          const child = model.nodes.get(node.children[i]!)!;
          inputs.push({ value: v, weight: ind.weight ? child.weights[ind.weight] : undefined });
        }
        const value = rollup(ind.rollup, inputs);
        return value === null ? undefined : { value, source };
      };
      const l: EffectiveLevels = {};
      const c = derive('capability');
      const p = derive('potentiality');
      if (c !== undefined) {
        l.capability = c.value;
        l.capabilitySource = c.source;
      }
      if (p !== undefined) {
        l.potentiality = p.value;
        l.potentialitySource = p.source;
      }
      mine.set(ind.id, l);
    }
    out.set(path, mine);
    return mine;
  };
  visit(model.root);
  return out;
}
