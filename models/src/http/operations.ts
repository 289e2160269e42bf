/**
 * What every error answer carries, and `GET /healthz`'s answer: one schema each, from which the
 * server's answers and their types are derived.
 */
import Type, { type Static } from 'typebox';

/** Every 4xx/5xx answer: `code` is stable (`OPS_ERR_…`), `message` is for people. */
export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'OPS_ERR_… (or FST_… from fastify itself): stable, for programs' }),
  error: Type.String({ description: "the HTTP status's reason phrase" }),
  message: Type.String({ description: 'what went wrong, for people' }),
});
export type ErrorAnswer = Static<typeof ErrorSchema>;

/** One component's state: whether it works and, in words, what it is (no paths, no credentials). */
export const ComponentHealthSchema = Type.Object(
  { ok: Type.Boolean(), detail: Type.String() },
  { additionalProperties: false },
);
export type ComponentHealth = Static<typeof ComponentHealthSchema>;

/** `GET /healthz`: 200 with `ok` when every component works, else 503 with `degraded`. */
export const HealthzSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    components: Type.Record(Type.String(), ComponentHealthSchema, {
      description: 'by component: store, state database, broker link, ingest…',
    }),
  },
  { additionalProperties: false },
);
export type Healthz = Static<typeof HealthzSchema>;
