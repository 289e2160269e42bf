/**
 * `GET /api/model`'s answer: the recursion as a caller may see it. One schema, from which
 * `ModelView`, `NodeView` and `PersonView` are derived; the indicator's and the levels' schemas
 * are checked against the model's own types (models/src/vsm/model.ts) in model-view.test.ts.
 */
import Type, { type Static } from 'typebox';
import { PRIORITIES, ROLLUP_RULES } from '../vsm/model.js';
import { IndicatorUpdateSchema } from './live.js';

export const LearnRuleSchema = Type.Object(
  {
    percentile: Type.Number({ description: 'in (0, 100]' }),
    windowDays: Type.Number({ description: 'the trailing window, days' }),
    fallback: Type.Optional(Type.Number({ description: 'used (as a set value) until enough history exists' })),
  },
  { additionalProperties: false },
);

export const LearnRulesSchema = Type.Object(
  { capability: Type.Optional(LearnRuleSchema), potentiality: Type.Optional(LearnRuleSchema) },
  { additionalProperties: false, description: 'levels learned from history (README, "Capability and potentiality")' },
);

export const IndicatorDefSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    unit: Type.String(),
    rollup: Type.Enum(ROLLUP_RULES),
    weight: Type.Optional(Type.String({ description: 'for weighted_mean: the node weight to weigh children by' })),
    priority: Type.Optional(Type.Enum(PRIORITIES)),
    learn: Type.Optional(LearnRulesSchema),
  },
  { additionalProperties: false },
);

export const LevelsSchema = Type.Object(
  {
    capability: Type.Optional(Type.Number()),
    potentiality: Type.Optional(Type.Number()),
    learn: Type.Optional(LearnRulesSchema),
  },
  { additionalProperties: false, description: "Beer's levels set in the model file for one indicator at one node" },
);

export const NodeViewSchema = Type.Object(
  {
    path: Type.String(),
    name: Type.String(),
    depth: Type.Integer(),
    level: Type.Optional(Type.String()),
    parent: Type.Optional(Type.String({ description: "absent at the caller's scope node" })),
    children: Type.Array(Type.String()),
    correctionWindowSec: Type.Number(),
    levels: Type.Record(Type.String(), LevelsSchema, {
      description: 'capability and potentiality set in the model file (the effective ones are in `values`)',
    }),
    values: Type.Optional(
      Type.Array(IndicatorUpdateSchema, {
        description: 'the live state of each of its indicators that has one (absent with `?values=false`)',
      }),
    ),
    server: Type.Optional(
      Type.String({
        description:
          'federation: the child server that runs this node (its values and history are asked of it); absent for ' +
          "this server's own nodes",
      }),
    ),
  },
  { additionalProperties: false },
);
export type NodeView = Static<typeof NodeViewSchema>;

export const PersonViewSchema = Type.Object(
  { name: Type.String(), displayName: Type.Optional(Type.String()), scope: Type.String() },
  { additionalProperties: false },
);
export type PersonView = Static<typeof PersonViewSchema>;

export const ModelViewSchema = Type.Object(
  {
    name: Type.String(),
    scope: Type.String({ description: "the caller's scope node: the root of what it may see" }),
    levels: Type.Array(Type.String(), { description: 'level names by depth, root first' }),
    indicators: Type.Array(IndicatorDefSchema),
    nodes: Type.Array(NodeViewSchema, { description: 'the scope node and its subtree, depth-first' }),
    valuesAt: Type.Optional(Type.Integer({ description: "when the nodes' values were taken, ms since epoch" })),
    unreachable: Type.Optional(
      Type.Array(Type.String(), {
        description: 'federation: child servers that could not be asked for their values just now',
      }),
    ),
    people: Type.Optional(
      Type.Array(PersonViewSchema, {
        description:
          'users the caller meets on its alerts (scope in its subtree or on its path to the root): ' +
          'name, display name and scope; never roles nor secrets',
      }),
    ),
  },
  { additionalProperties: false, description: 'The recursion as visible to the caller' },
);
export type ModelView = Static<typeof ModelViewSchema>;
