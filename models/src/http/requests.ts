/**
 * The HTTP API's request schemas (path parameters, query strings, bodies) and its other response
 * schemas, in TypeBox: the server's routes validate with them and publish them in the OpenAPI
 * document, and the request and response types the server and the UI use are derived from them.
 */
import Type, { type Static } from 'typebox';
import { CHANGE_KINDS } from '../alerts/alert-kinds.js';
import { PRIORITIES } from '../vsm/model.js';

const NOTE_MAX = 2000;

export const AlertIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** An alert action's body: a note, required for comment and directive. */
export const NoteBody = (required: boolean) =>
  Type.Object(
    {
      note: required
        ? Type.String({ minLength: 1, maxLength: NOTE_MAX })
        : Type.Optional(Type.String({ maxLength: NOTE_MAX })),
    },
    { additionalProperties: false },
  );
export type NoteBody = { note?: string };

export const ShelveBody = Type.Object(
  {
    minutes: Type.Number({ exclusiveMinimum: 0, maximum: 7 * 24 * 60 }),
    note: Type.String({ minLength: 1, maxLength: NOTE_MAX, description: 'why it is shelved (recorded in the trail)' }),
  },
  { additionalProperties: false },
);
export type ShelveBody = Static<typeof ShelveBody>;

export const AssignBody = Type.Object(
  {
    user: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]),
    note: Type.Optional(Type.String({ maxLength: NOTE_MAX })),
  },
  { additionalProperties: false },
);
export type AssignBody = Static<typeof AssignBody>;

/** The filters of the alert list and its counts (alert-query.ts). */
const alertFilterProperties = {
  state: Type.Optional(Type.Enum(['open', 'raised', 'acknowledged', 'escalated', 'resolved'] as const)),
  node: Type.Optional(Type.String({ maxLength: 512 })),
  kind: Type.Optional(Type.Enum(CHANGE_KINDS)),
  priority: Type.Optional(Type.Enum(PRIORITIES)),
  indicator: Type.Optional(Type.String({ maxLength: 128 })),
  shelved: Type.Optional(Type.Enum(['exclude', 'only', 'include'] as const)),
  assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  since: Type.Optional(Type.Integer({ minimum: 0 })),
  until: Type.Optional(Type.Integer({ minimum: 0 })),
};
export const AlertCountsQuery = Type.Object(alertFilterProperties, { additionalProperties: false });
export type AlertCountsQuery = Static<typeof AlertCountsQuery>;
export const AlertListQuery = Type.Object(
  {
    ...alertFilterProperties,
    order: Type.Optional(Type.Enum(['priority', 'newest'] as const)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type AlertListQuery = Static<typeof AlertListQuery>;

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 128 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const MaintenanceWindowSchema = Type.Object(
  {
    id: Type.String(),
    node: Type.String({ description: 'the window covers this node and its subtree' }),
    indicators: Type.Optional(Type.Array(Type.String(), { description: 'only these indicators; absent: all' })),
    start: Type.Integer({ description: 'ms since epoch; the window is [start, end)' }),
    end: Type.Integer(),
    reason: Type.String(),
    createdBy: Type.String(),
    createdAt: Type.Integer(),
    cancelledBy: Type.Optional(Type.String()),
    cancelledAt: Type.Optional(Type.Integer({ description: 'set when ended early with DELETE' })),
  },
  { additionalProperties: false, description: 'An out-of-service window' },
);
export type MaintenanceWindow = Static<typeof MaintenanceWindowSchema>;

export const NewMaintenanceWindow = Type.Object(
  {
    node: Type.String({ minLength: 1, maxLength: 512 }),
    indicators: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 64 })),
    start: Type.Optional(Type.Integer({ minimum: 0, description: 'ms since epoch; default now' })),
    end: Type.Integer({ minimum: 0, description: 'ms since epoch' }),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type NewMaintenanceWindow = Static<typeof NewMaintenanceWindow>;

export const MaintenanceListQuery = Type.Object(
  { node: Type.Optional(Type.String({ maxLength: 512 })), ended: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type MaintenanceListQuery = Static<typeof MaintenanceListQuery>;

export const MaintenanceIdQuery = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export const ModelQuery = Type.Object({ values: Type.Boolean({ default: true }) }, { additionalProperties: false });
export const LatestQuery = Type.Object(
  { node: Type.Optional(Type.String({ maxLength: 512 })) },
  { additionalProperties: false },
);

/** The alarm system's health over the last `hours` (default 24, at most 168) of a node's subtree. */
export const ALARM_HEALTH_HOURS = { default: 24, max: 168 } as const;
export const AlarmHealthQuery = Type.Object(
  {
    node: Type.Optional(Type.String({ maxLength: 512 })),
    hours: Type.Number({ exclusiveMinimum: 0, maximum: ALARM_HEALTH_HOURS.max, default: ALARM_HEALTH_HOURS.default }),
  },
  { additionalProperties: false },
);

const facetCounts = (facet: string) =>
  Type.Record(Type.String(), Type.Integer(), { description: `count per ${facet}` });

/** `GET /api/alerts/counts`: how many match all the filters, and per value of each filter among the rest. */
export const AlertCountsSchema = Type.Object(
  {
    total: Type.Integer({ description: 'alerts that pass every filter' }),
    facets: Type.Object(
      {
        state: facetCounts('state'),
        priority: facetCounts('priority'),
        kind: facetCounts('kind'),
        indicator: facetCounts('indicator'),
        node: facetCounts('node'),
        assignee: facetCounts('assignee'),
        shelved: facetCounts('shelved'),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type AlertCounts = Static<typeof AlertCountsSchema>;
