/**
 * `GET /api/alarm-health`'s answer: the alarm system's own performance in ISA-18.2 terms
 * (models/src/alerts/alarm-health.ts computes it), one schema from which `AlarmHealth` and the
 * answer with its children are derived.
 */
import Type, { type Static } from 'typebox';

const count = (description?: string) => Type.Integer(description ? { description } : {});
const msOrNull = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

const DESCRIPTION = 'ISA-18.2 alarm-system performance over the window';

export const AlarmHealthSchema = Type.Object(
  {
    node: Type.String({ description: 'the node whose subtree this covers' }),
    from: Type.Integer({ description: 'window start, ms since epoch (exclusive)' }),
    to: Type.Integer({ description: 'window end: now (inclusive)' }),
    hours: Type.Number(),
    raises: count('annunciations: raises and re-raises of a chattering alert held as one'),
    alertsPerHour: Type.Number({ description: 'raises / hours (ISA-18.2 target: about 6 per operator position)' }),
    hourly: Type.Array(Type.Object({ start: Type.Integer(), count: count() }, { additionalProperties: false }), {
      description: 'raises per hour of the window, oldest first (`start` ms; the last hour may be partial)',
    }),
    floods: Type.Object(
      { intervals: count(), flooded: count(), share: Type.Number(), peak: count() },
      {
        additionalProperties: false,
        description: '10-minute intervals, those with more than 10 raises (floods), their share, and the busiest',
      },
    ),
    standing: count('open alerts last raised more than 24 h ago'),
    top: Type.Array(
      Type.Object({ node: Type.String(), indicator: Type.String(), count: count() }, { additionalProperties: false }),
      { description: 'the ten (node, indicator) pairs raised most often' },
    ),
    chattering: count(),
    shelved: count(),
    open: count(),
    medianAckMs: msOrNull('median time from a raise to its first acknowledge, ms'),
    medianResolveMs: msOrNull('median time from a raise to its resolve, ms'),
  },
  { additionalProperties: false, description: DESCRIPTION },
);
export type AlarmHealth = Static<typeof AlarmHealthSchema>;

/** One child's line of the answer: its subtree's load over the same window. */
export const ChildHealthSchema = Type.Object(
  {
    node: Type.String(),
    raises: count(),
    alertsPerHour: Type.Number(),
    flooded: count(),
    standing: count(),
    open: count(),
    shelved: count(),
    chattering: count(),
  },
  { additionalProperties: false },
);
export type ChildHealth = Static<typeof ChildHealthSchema>;

export const AlarmHealthAnswerSchema = Type.Object(
  {
    ...AlarmHealthSchema.properties,
    children: Type.Array(ChildHealthSchema, {
      description: 'the same figures for each child of the node (its subtree)',
    }),
  },
  { additionalProperties: false, description: DESCRIPTION },
);
export type AlarmHealthAnswer = Static<typeof AlarmHealthAnswerSchema>;
