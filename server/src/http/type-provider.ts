import type { FastifyTypeProvider } from 'fastify';
import type { Static, TSchema } from 'typebox';

/**
 * Routes read their requests with the types derived from their TypeBox schemas
 * (`@opsroom/models/http`): params, query strings and bodies need no casts. Responses are typed by
 * what the routes return (the `Alert` and `MaintenanceWindow` types are themselves derived from the
 * schemas the responses are serialised with).
 */
export interface ContractTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: unknown;
}
