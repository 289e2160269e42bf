import { PRIORITIES, ROLLUP_RULES } from '@opsroom/models';
import type { IndicatorDef, LearnRules, Priority, RollupRule } from '@opsroom/models';
import type { ModelReader } from './reader.js';
import type { Node } from 'yaml';
import { didYouMeanSuffix } from './did-you-mean.js';
import { firstOnLine, openMap, readList, readString } from './fields.js';
import type { MapFields, MapShape } from './fields.js';
import { checkId } from './validate-ids.js';
import { readLevel } from './read-learn.js';

export const INDICATOR_SHAPE: MapShape = {
  what: 'an indicator',
  keys: ['id', 'name', 'unit', 'rollup', 'weight', 'priority', 'capability', 'potentiality'],
  required: ['id', 'unit', 'rollup'],
};

/** An indicator as read, with the node of its `weight:` for the check that some node defines it. */
export interface ReadIndicator {
  def: IndicatorDef;
  weightAt?: { node: Node | undefined; path: string };
}

/** The indicators that are right, and the ids of all of them (so a bad rule does not also make
 * every node that sets levels for the indicator look wrong). */
export interface IndicatorList {
  indicators: ReadIndicator[];
  ids: Set<string>;
}

/** `indicators:` — ids unique, a known roll-up rule, and a `weight:` exactly for `weighted_mean`. */
export function readIndicators(f: MapFields): IndicatorList {
  const items = readList(f, 'indicators', 'indicators');
  const out: ReadIndicator[] = [];
  const seen = new Map<string, Node | undefined>();
  for (const item of items ?? []) {
    const g = openMap(f.r, item.node, item.path, INDICATOR_SHAPE, f.keyNode('indicators'));
    if (!g) continue;
    const id = readString(g, 'id');
    const unit = readString(g, 'unit', 'text such as "kWh", or "1" for a plain count');
    const rollup = readRollup(g);
    const weight = readString(g, 'weight', 'the name of a node weight');
    const name = readString(g, 'name');
    const priorityText = readString(g, 'priority', PRIORITY_EXPECTED);
    const priority =
      priorityText === undefined
        ? undefined
        : checkPriority(f.r, g.value('priority'), g.pathOf('priority'), priorityText);
    let ok = id !== undefined && unit !== undefined && rollup !== undefined;
    if (id !== undefined) {
      const idNode = g.value('id');
      ok = checkId(f.r, idNode, g.pathOf('id'), id, 'indicator') && ok;
      if (seen.has(id)) {
        f.r.report(
          idNode,
          g.pathOf('id'),
          `the indicator id "${id}" is used twice${firstOnLine(f.r, seen.get(id))}; ids must be unique`,
        );
        ok = false;
      } else seen.set(id, idNode);
    }
    if (rollup === 'weighted_mean' && weight === undefined && g.value('weight') === undefined) {
      f.r.report(
        g.node,
        g.pathOf('weight'),
        `a "weighted_mean" indicator needs "weight:", the node weight to weigh children by (or use "rollup: mean")`,
        'the name of a node weight',
      );
      ok = false;
    }
    if (rollup !== undefined && rollup !== 'weighted_mean' && weight !== undefined) {
      f.r.report(
        g.value('weight'),
        g.pathOf('weight'),
        `"weight" only applies to "rollup: weighted_mean", not "${rollup}"; remove it or change the rule`,
      );
      ok = false;
    }
    if (priorityText !== undefined && priority === undefined) ok = false;
    const learn: LearnRules = {};
    for (const kind of ['capability', 'potentiality'] as const) {
      if (!g.has(kind)) continue;
      const level = readLevel(g, kind, false);
      if (level !== undefined && 'learn' in level) learn[kind] = level.learn;
      else if (g.value(kind) !== undefined) ok = false;
    }
    if (!ok || id === undefined || unit === undefined || rollup === undefined) continue;
    const def: IndicatorDef = { id, name: name ?? id, unit, rollup };
    if (priority !== undefined) def.priority = priority;
    if (learn.capability || learn.potentiality) def.learn = learn;
    const r: ReadIndicator = { def };
    if (weight !== undefined) {
      def.weight = weight;
      r.weightAt = { node: g.value('weight'), path: g.pathOf('weight') };
    }
    out.push(r);
  }
  return { indicators: out, ids: new Set(seen.keys()) };
}

function readRollup(g: MapFields): RollupRule | undefined {
  const expected = `one of: ${ROLLUP_RULES.join(', ')}`;
  const rule = readString(g, 'rollup', expected);
  if (rule === undefined) return undefined;
  if ((ROLLUP_RULES as readonly string[]).includes(rule)) return rule as RollupRule;
  g.r.report(
    g.value('rollup'),
    g.pathOf('rollup'),
    `unknown roll-up rule "${rule}"${didYouMeanSuffix(rule, ROLLUP_RULES)}`,
    expected,
  );
  return undefined;
}

const PRIORITY_EXPECTED = `one of: ${PRIORITIES.join(', ')}`;

/** `priority: high` — one of the alarm priorities (an indicator's, or a node's override). */
export function checkPriority(r: ModelReader, at: Node | undefined, path: string, text: string): Priority | undefined {
  if ((PRIORITIES as readonly string[]).includes(text)) return text as Priority;
  r.report(at, path, `unknown priority "${text}"${didYouMeanSuffix(text, PRIORITIES)}`, PRIORITY_EXPECTED);
  return undefined;
}
