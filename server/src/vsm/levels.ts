import { rollup, type Levels, type Model } from '@opsroom/models';

/**
 * Capability and potentiality of every node and indicator. A value fixed in the model wins;
 * otherwise a parent's comes from its children's by the indicator's roll-up rule, when every
 * child has one (a partial sum would understate it). Computed once per model.
 * @example a council with two cooperatives of capability 100 and 120 (rule sum) has capability 220.
 */
export function effectiveLevels(model: Model): Map<string, Map<string, Levels>> {
  const out = new Map<string, Map<string, Levels>>();
  const visit = (path: string): Map<string, Levels> => {
    const done = out.get(path);
    if (done) return done;
    const node = model.nodes.get(path)!;
    const kids = node.children.map(visit);
    const mine = new Map<string, Levels>();
    for (const ind of model.indicators) {
      const fixed = node.levels[ind.id] ?? {};
      const derive = (k: keyof Levels): number | undefined => {
        if (fixed[k] !== undefined) return fixed[k];
        if (kids.length === 0) return undefined;
        const inputs = [];
        for (let i = 0; i < kids.length; i++) {
          const v = kids[i]!.get(ind.id)?.[k];
          if (v === undefined) return undefined;
          const child = model.nodes.get(node.children[i]!)!;
          inputs.push({ value: v, weight: ind.weight ? child.weights[ind.weight] : undefined });
        }
        return rollup(ind.rollup, inputs) ?? undefined;
      };
      const l: Levels = {};
      const c = derive('capability');
      const p = derive('potentiality');
      if (c !== undefined) l.capability = c;
      if (p !== undefined) l.potentiality = p;
      mine.set(ind.id, l);
    }
    out.set(path, mine);
    return mine;
  };
  visit(model.root);
  return out;
}
