/**
 * The live value of one indicator at one node, as `GET /api/latest`, `GET /api/model` and the
 * socket.io `indicator:batch` event carry it: one schema, from which `IndicatorUpdate` is derived.
 * Numeric fields carry no JSON `type` (their TypeScript type comes from `Type.Unsafe`): the
 * response serializer throws on a NaN in a `number` field, where JSON.stringify writes null.
 */
import Type, { type Static } from 'typebox';

const num = (description: string) => Type.Unsafe<number>({ description: `number: ${description}` });
const numOrNull = (description: string) =>
  Type.Unsafe<number | null>({ description: `number or null: ${description}` });

export const IndicatorUpdateSchema = Type.Object(
  {
    node: Type.String(),
    indicator: Type.String(),
    ts: num('ms since epoch of the newest reading behind the value'),
    value: numOrNull('the actuality; null when the node itself is stale'),
    capability: Type.Optional(num('effective capability (fixed in the model, learned from history, or rolled up)')),
    potentiality: Type.Optional(num('effective potentiality')),
    capabilitySource: Type.Optional(
      Type.Union([Type.Literal('set'), Type.Literal('learned')], {
        description:
          'where capability comes from (present with it): `set` in the model (or rolled up from set values), ' +
          '`learned` from the history of actuality (or rolled up from a learned value)',
      }),
    ),
    potentialitySource: Type.Optional(
      Type.Union([Type.Literal('set'), Type.Literal('learned')], {
        description: 'where potentiality comes from (present with it), as capabilitySource',
      }),
    ),
    productivity: numOrNull('actuality / capability'),
    latency: numOrNull('capability / potentiality'),
    performance: numOrNull('actuality / potentiality'),
    stale: Type.Boolean({
      description:
        "the node's own value is not fresh: none of its device series and none of its children is (value is null); " +
        'something missing further down with others still fresh is missingDescendants',
    }),
    missingChildren: Type.Integer({ description: 'direct children without a fresh value (stale, or never heard)' }),
    missingDescendants: Type.Integer({
      description:
        'device series at this node or at any depth below it that stopped sending: quiet past their learnt ' +
        'interval plus a margin (one more interval, at least 5 s), at most the roll-up period',
    }),
    score: Type.Optional(num('latest anomaly score in [0,1]')),
    learning: Type.Optional(
      Type.Boolean({ description: 'the detector of this series is still learning it (raises nothing yet)' }),
    ),
    forecast: Type.Optional(
      Type.Object(
        { mean: num('forecast mean'), lower: num('lower bound'), upper: num('upper bound') },
        { description: "the detector's forecast band for the next value" },
      ),
    ),
  },
  {
    description: "The live value of one indicator at one node: actuality, levels, Beer's indices, staleness",
  },
);

export type IndicatorUpdate = Static<typeof IndicatorUpdateSchema>;
