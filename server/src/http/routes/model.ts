import type { FastifyInstance } from 'fastify';
import type { ContractTypeProvider } from '../type-provider.js';
import { LatestQuery, ModelQuery, ModelViewSchema } from '@opsroom/models/http';
import { inScope } from '@opsroom/models';
import { modelView, withLiveValues } from '../../model/view.js';
import { requireUser, visibleNode } from '../auth-hook.js';
import { errorSchema, indicatorUpdateSchema } from '../schemas.js';
import type { AppServices } from '../services.js';

/** The model tree as visible to the caller, and the latest values in scope. */
export function modelRoutes(server: FastifyInstance, s: AppServices): void {
  const app = server.withTypeProvider<ContractTypeProvider>();
  app.get(
    '/api/model',
    {
      schema: {
        tags: ['model'],
        summary: 'The recursion as visible to the caller: its scope node and subtree, with live values',
        description:
          'Each node carries `values`: the latest value of each of its indicators ' +
          'that has one, with effective capability and potentiality, ' +
          ("Beer's indices (productivity, latency, performance), `stale`, " +
            '`missingChildren` and `missingDescendants` (the same objects as `GET ' +
            '/api/latest`), and the ') +
          'view carries `valuesAt` (ms since epoch). `?values=false` leaves both out and gives the bare tree.',
        querystring: ModelQuery,
        response: { 200: ModelViewSchema, 401: errorSchema },
      },
      preHandler: requireUser(s),
    },
    async (req) => {
      const { values } = req.query;
      const scope = req.user!.scope;
      const view = modelView(s.model(), scope);
      return values === false
        ? view
        : withLiveValues(
            view,
            s.live.snapshot((p) => inScope(scope, p)),
            s.now(),
          );
    },
  );

  app.get(
    '/api/latest',
    {
      schema: {
        tags: ['model'],
        summary: 'Latest value, levels and Beer indices of every indicator of every node in scope (or under `node`)',
        querystring: LatestQuery,
        response: { 200: { type: 'array', items: indicatorUpdateSchema }, 401: errorSchema, 404: errorSchema },
      },
      preHandler: requireUser(s),
    },
    async (req) => {
      const { node } = req.query;
      const root = node ? visibleNode(s, req.user!, node) : req.user!.scope;
      return s.live.snapshot((p) => inScope(root, p));
    },
  );
}
