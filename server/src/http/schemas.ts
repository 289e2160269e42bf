import { AlertSchema, ErrorSchema } from '@opsroom/models/http';
/** JSON schemas shared by routes (and published in the OpenAPI document). */

/** Every error answer: models' ErrorSchema, serialised leniently (fastify's own errors may lack a field). */
export const errorSchema = lenient(ErrorSchema);

/** 503 of a write whose save to the state database failed: nothing changed; retry after `Retry-After` seconds. */
export const stateUnavailableSchema = {
  ...errorSchema,
  description:
    'OPS_ERR_STATE_UNAVAILABLE: the state database could not save the ' +
    'change, so nothing changed; try again after the Retry-After header',
} as const;

/**
 * The error answers of a write on an alert or a window: refused (400, 401, 403), not found (404),
 * not possible in its state (409), or not saved (503).
 */
export const writeErrors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  503: stateUnavailableSchema,
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

/** The live state of one indicator at one node: models' IndicatorUpdateSchema (the type is derived from it). */
export { IndicatorUpdateSchema as indicatorUpdateSchema } from '@opsroom/models/http';
