import { AlertSchema } from '@opsroom/models/http';
/** JSON schemas shared by routes (and published in the OpenAPI document). */
export const errorSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

/** 503 of a write whose save to the state database failed: nothing changed; retry after `Retry-After` seconds. */
export const stateUnavailableSchema = {
  ...errorSchema,
  description:
    'OPS_ERR_STATE_UNAVAILABLE: the state database could not save the ' +
    'change, so nothing changed; try again after the Retry-After header',
} as const;

/**
 * A contract schema as a response schema: the same fields, serialised leniently. The serializer
 * (fast-json-stringify) throws on a missing required field, and an alert saved by an earlier
 * version may lack a field that is required today; requests are validated strictly.
 */
export function lenient<T extends object>(schema: T): T {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'required') out[k] = strip(x);
    return out;
  };
  return strip(schema) as T;
}

/** An algedonic alert as the API answers it: models' AlertSchema (the Alert type is derived from it). */
export const alertSchema = { ...lenient(AlertSchema), additionalProperties: true };

export { AlertIdParams as alertIdParams, NoteBody as noteBody } from '@opsroom/models/http';

/**
 * The live state of one indicator at one node (`IndicatorUpdate`, models/src/events.ts; staleness
 * rules: models/README.md). Numeric fields carry no `type`: the response serializer
 * (fast-json-stringify) throws on a NaN in a `number` field, where JSON.stringify writes null.
 */
export const indicatorUpdateSchema = {
  type: 'object',
  additionalProperties: true,
  description:
    "The live value of one indicator at one node: actuality, levels, Beer's " +
    'indices, staleness (models/src/events.ts IndicatorUpdate)',
  required: ['node', 'indicator', 'ts', 'value', 'stale', 'missingChildren', 'missingDescendants'],
  properties: {
    node: { type: 'string' },
    indicator: { type: 'string' },
    ts: { description: 'number: ms since epoch of the newest reading behind the value' },
    value: { description: 'number or null: the actuality; null when the node itself is stale' },
    capability: { description: 'number: effective capability (fixed in the model or rolled up)' },
    potentiality: { description: 'number: effective potentiality' },
    productivity: { description: 'number or null: actuality / capability' },
    latency: { description: 'number or null: capability / potentiality' },
    performance: { description: 'number or null: actuality / potentiality' },
    stale: {
      type: 'boolean',
      description:
        "the node's own value is not fresh: none of its device series and none of its children is (value is null)",
    },
    missingChildren: { type: 'integer', description: 'direct children without a fresh value (stale, or never heard)' },
    missingDescendants: {
      type: 'integer',
      description:
        'device series at this node or at any depth below it that stopped ' +
        'sending: quiet past their learnt interval plus a margin (one more ' +
        'interval, at least 5 s), at most the roll-up period',
    },
    score: { description: 'number: latest anomaly score in [0,1]' },
    learning: { type: 'boolean', description: 'the detector of this series is still learning it (raises nothing yet)' },
    forecast: {
      type: 'object',
      additionalProperties: true,
      description: "the detector's forecast band for the next value: mean, lower, upper",
    },
  },
} as const;
