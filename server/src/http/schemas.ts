import { CHANGE_KINDS, PRIORITIES } from '@opsroom/models';
/** JSON schemas shared by routes (and published in the OpenAPI document). */
export const errorSchema = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, code: { type: 'string' }, error: { type: 'string' }, message: { type: 'string' } },
} as const;

/** 503 of a write whose save to the state database failed: nothing changed; retry after `Retry-After` seconds. */
export const stateUnavailableSchema = {
  ...errorSchema,
  description: 'OPS_ERR_STATE_UNAVAILABLE: the state database could not save the change, so nothing changed; try again after the Retry-After header',
} as const;

export const alertSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'An algedonic alert (models/src/alerts/alert.ts)',
  properties: {
    id: { type: 'string' },
    node: { type: 'string' },
    owner: { type: 'string' },
    path: { type: 'array', items: { type: 'string' } },
    indicator: { type: 'string' },
    kind: { type: 'string', enum: [...CHANGE_KINDS] },
    state: { type: 'string', enum: ['raised', 'acknowledged', 'escalated', 'resolved'] },
    probability: { type: 'number', description: 'how sure the system is, in [0,1] (the one number to show)' },
    score: { type: 'number', description: "the detector's anomaly score in [0,1] (for tooling; not shown to people)" },
    summary: { type: 'string', description: 'the alert in plain words: what changed, by how much against the forecast, how sure, since when' },
    sigmas: { type: 'number', description: '(value − forecast mean) in noise standard deviations' },
    since: { type: 'number', description: 'time of the reading where the change was seen, ms since epoch' },
    deadline: { type: ['number', 'null'], description: 'when the owner\'s correction window runs out; null while shelved (paused) and once resolved' },
    priority: { type: 'string', enum: [...PRIORITIES], description: 'the indicator\'s priority at the node moved one step by how far and how sure the change is (docs/alerts.md)' },
    shelved: {
      type: 'object',
      additionalProperties: true,
      description: 'present while shelved: by whom, from `at` until `until` (ms), the note, and the correction window left when shelved',
      properties: { by: { type: 'string' }, at: { type: 'number' }, until: { type: 'number' }, note: { type: 'string' }, remainingMs: { type: ['number', 'null'] } },
    },
    maintenance: {
      type: 'object',
      additionalProperties: true,
      description: 'present while a maintenance window covers the alert',
      properties: { window: { type: 'string' }, until: { type: 'number' }, reason: { type: 'string' } },
    },
    chattering: {
      type: 'object',
      additionalProperties: true,
      description: 'present when held as chattering: raises within the rule\'s span, first and last',
      properties: { raises: { type: 'integer' }, firstAt: { type: 'number' }, lastAt: { type: 'number' } },
    },
    assignee: { type: 'string', description: 'who is working on it' },
    reminders: { type: 'object', additionalProperties: true, properties: { count: { type: 'integer' }, lastAt: { type: 'number' } }, description: 'reminders sent to the owner\'s webhook while unacknowledged' },
    refired: { type: 'object', additionalProperties: true, properties: { count: { type: 'integer' }, lastAt: { type: 'number' } }, description: 'new changes (or dropouts) on its series while it was open: how many, the last (ms)' },
    firstChild: {
      type: 'object',
      additionalProperties: true,
      description: 'for a grouping alert: the child alert that came first',
      properties: { alert: { type: 'string' }, node: { type: 'string' }, at: { type: 'number' } },
    },
    trail: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

export const alertIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;

export const noteBody = (required: boolean) =>
  ({
    type: 'object',
    additionalProperties: false,
    ...(required ? { required: ['note'] } : {}),
    properties: { note: { type: 'string', minLength: required ? 1 : 0, maxLength: 2000 } },
  }) as const;

/**
 * The live state of one indicator at one node (`IndicatorUpdate`, models/src/events.ts; staleness
 * rules: models/README.md). Numeric fields carry no `type`: the response serializer
 * (fast-json-stringify) throws on a NaN in a `number` field, where JSON.stringify writes null.
 */
export const indicatorUpdateSchema = {
  type: 'object',
  additionalProperties: true,
  description: "The live value of one indicator at one node: actuality, levels, Beer's indices, staleness (models/src/events.ts IndicatorUpdate)",
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
    stale: { type: 'boolean', description: "the node's own value is not fresh: none of its device series and none of its children is (value is null)" },
    missingChildren: { type: 'integer', description: 'direct children without a fresh value (stale, or never heard)' },
    missingDescendants: {
      type: 'integer',
      description:
        'device series at this node or at any depth below it that stopped sending: quiet past their learnt interval plus a margin (one more interval, at least 5 s), at most the roll-up period',
    },
    score: { description: 'number: latest anomaly score in [0,1]' },
    learning: { type: 'boolean', description: 'the detector of this series is still learning it (raises nothing yet)' },
    forecast: { type: 'object', additionalProperties: true, description: "the detector's forecast band for the next value: mean, lower, upper" },
  },
} as const;
