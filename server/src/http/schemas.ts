import { CHANGE_KINDS } from '@opsroom/models';
/** JSON schemas shared by routes (and published in the OpenAPI document). */
export const errorSchema = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, code: { type: 'string' }, error: { type: 'string' }, message: { type: 'string' } },
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
    deadline: { type: ['number', 'null'] },
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
