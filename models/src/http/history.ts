/**
 * `GET /api/history`: one indicator of one node over a range, at a resolution that fits
 * `maxPoints`; the answer says what resolution it chose and whether it left anything out.
 */
import Type, { type Static } from 'typebox';

/** Points in one answer: default, least and most a caller may ask for. */
export const HISTORY_MAX_POINTS = { default: 2_000, min: 10, max: 10_000 } as const;
export const HISTORY_AGGREGATES = ['mean', 'min', 'max', 'last', 'count'] as const;
/** What `GET /api/history` answers in: a HistoryResult (json) or its points as CSV (csv). */
export const HISTORY_FORMATS = ['json', 'csv'] as const;

export const HistoryQuery = Type.Object(
  {
    node: Type.String({ maxLength: 512 }),
    indicator: Type.String({ maxLength: 64 }),
    from: Type.Optional(Type.Integer({ description: 'ms since epoch; default one hour ago' })),
    to: Type.Optional(Type.Integer({ description: 'ms since epoch; default now' })),
    windowMs: Type.Optional(
      Type.Integer({
        minimum: 1000,
        description: 'window width; omit to let the server pick raw points or a step that fits maxPoints',
      }),
    ),
    aggregate: Type.Enum(HISTORY_AGGREGATES, { default: 'mean' }),
    maxPoints: Type.Integer({
      minimum: HISTORY_MAX_POINTS.min,
      maximum: HISTORY_MAX_POINTS.max,
      default: HISTORY_MAX_POINTS.default,
      description: 'most points in the answer',
    }),
    format: Type.Optional(
      Type.Enum(HISTORY_FORMATS, {
        description:
          'json (default): a HistoryResult; csv: text/csv, a header row ' +
          '(time,ts,node,indicator,unit,aggregate,step_ms,value) then one row per point, same points',
      }),
    ),
  },
  { additionalProperties: false },
);
/** What the server reads (defaults applied). */
export type HistoryQuery = Static<typeof HistoryQuery>;
/** What a caller may send: aggregate and maxPoints have defaults. */
export type HistoryRequest = Omit<HistoryQuery, 'aggregate' | 'maxPoints'> &
  Partial<Pick<HistoryQuery, 'aggregate' | 'maxPoints'>>;

export const HistoryResolution = Type.Object(
  {
    stepMs: Type.Union([Type.Integer(), Type.Null()], { description: 'window width, ms; null for raw points' }),
    aggregate: Type.Union([Type.String(), Type.Null()], {
      description: 'mean, min, max, last or count; null for raw points',
    }),
    source: Type.Enum(['raw', 'minute', 'hour', 'store'] as const, {
      description: 'raw points, a stored tier (embedded store), or windows the store computes',
    }),
    basis: Type.Enum(['stored', 'children'] as const, {
      description:
        "stored: the node's own series; children: rolled up from its leaves' stored series by the indicator's rule",
    }),
    rule: Type.Optional(Type.String({ description: 'the roll-up rule (basis children)' })),
    leaves: Type.Optional(Type.Integer({ description: 'leaves read (basis children)' })),
    reason: Type.String(),
  },
  { description: 'What the points are: raw points or windows of stepMs, read from where, computed how, and why' },
);

export const HistoryPoint = Type.Object({ ts: Type.Number(), value: Type.Number() });
export type HistoryPoint = Static<typeof HistoryPoint>;

export const HistoryResult = Type.Object({
  node: Type.String(),
  indicator: Type.String(),
  from: Type.Number({ description: 'the range answered: later than asked when truncated' }),
  to: Type.Number(),
  points: Type.Array(HistoryPoint),
  resolution: HistoryResolution,
  truncated: Type.Boolean({ description: 'true when part of the range asked for was left out' }),
  truncatedReason: Type.Optional(Type.String()),
});
export type HistoryResult = Static<typeof HistoryResult>;
