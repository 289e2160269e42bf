import type { FastifyInstance } from 'fastify';
import type { ContractTypeProvider } from '../type-provider.js';
import {
  MaintenanceIdQuery,
  MaintenanceListQuery,
  MaintenanceWindowSchema,
  NewMaintenanceWindow,
} from '@opsroom/models/http';
import { requireUser } from '../auth-hook.js';
import { errorSchema, writeErrors } from '../schemas.js';
import type { AppServices } from '../services.js';

/** An out-of-service window as the API answers it: models' schema (the type is derived from it). */
export const maintenanceWindowSchema = MaintenanceWindowSchema;

/**
 * Out-of-service windows (ISA-18.2; docs/alerts.md "Maintenance windows"): list, set and end them.
 * Readings are still stored and rolled up and the detectors keep learning; no alert is raised in a
 * window, and alerts already open there are marked. Scope as everywhere: a node or window outside
 * the caller's scope answers 404 (a list filter answers an empty list).
 */
export function maintenanceRoutes(server: FastifyInstance, s: AppServices): void {
  const app = server.withTypeProvider<ContractTypeProvider>();
  const auth = requireUser(s);
  app.get(
    '/api/maintenance',
    {
      schema: {
        tags: ['maintenance'],
        summary: 'Maintenance windows the caller may see, soonest first',
        description:
          "Windows on a node in the caller's scope or on an ancestor of it (they " +
          "cover part of what it sees). `node` narrows to windows on that node's " +
          'subtree or covering it; `ended=true` adds windows that ended in the ' +
          'last 30 days.',
        querystring: MaintenanceListQuery,
        response: { 200: { type: 'array', items: maintenanceWindowSchema }, 400: errorSchema, 401: errorSchema },
      },
      preHandler: auth,
    },
    async (req) => s.maintenance.list(req.user!, req.query),
  );

  app.post(
    '/api/maintenance',
    {
      schema: {
        tags: ['maintenance'],
        summary: "Set a maintenance window on a node's subtree (optionally some indicators)",
        description:
          'By a user whose scope covers the node (404 otherwise, as for a node ' +
          'that does not exist). `start` defaults to now; `end` must be after ' +
          '`start` and in the future, at most 31 days after `start`. Alerts ' +
          'already open in the window are marked at once.',
        body: NewMaintenanceWindow,
        response: { 201: maintenanceWindowSchema, ...writeErrors },
      },
      preHandler: auth,
    },
    async (req, reply) => {
      const w = s.maintenance.create(req.user!, req.body);
      s.alerts.checkDeadlines(); // mark the open alerts it covers now
      reply.code(201);
      return w;
    },
  );

  app.delete(
    '/api/maintenance',
    {
      schema: {
        tags: ['maintenance'],
        summary: 'End a maintenance window now (one not yet started is called off)',
        description:
          "404 when the window is outside the caller's scope or does not exist; " +
          "403 when it is on an ancestor of the caller's scope; 409 when it " +
          'already ended. The alerts it marked are unmarked at once.',
        querystring: MaintenanceIdQuery,
        response: { 200: maintenanceWindowSchema, ...writeErrors },
      },
      preHandler: auth,
    },
    async (req) => {
      const w = s.maintenance.cancel(req.user!, req.query.id);
      s.alerts.checkDeadlines();
      return w;
    },
  );
}
