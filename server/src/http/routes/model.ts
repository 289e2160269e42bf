import type { FastifyInstance } from 'fastify';
import { inScope } from '@opsroom/models';
import { modelView } from '../../model/view.js';
import { requireUser, visibleNode } from '../auth-hook.js';
import { errorSchema } from '../schemas.js';
import type { AppServices } from '../services.js';

/** The model tree as visible to the caller, and the latest values in scope. */
export function modelRoutes(app: FastifyInstance, s: AppServices): void {
  app.get(
    '/api/model',
    {
      schema: { tags: ['model'], summary: "The recursion as visible to the caller: its scope node and subtree", response: { 200: { type: 'object', additionalProperties: true }, 401: errorSchema } },
      preHandler: requireUser(s),
    },
    async (req) => modelView(s.model(), req.user!.scope),
  );

  app.get(
    '/api/latest',
    {
      schema: {
        tags: ['model'],
        summary: 'Latest value, levels and Beer indices of every indicator of every node in scope (or under `node`)',
        querystring: { type: 'object', additionalProperties: false, properties: { node: { type: 'string', maxLength: 512 } } },
        response: { 200: { type: 'array', items: { type: 'object', additionalProperties: true } }, 401: errorSchema, 404: errorSchema },
      },
      preHandler: requireUser(s),
    },
    async (req) => {
      const { node } = req.query as { node?: string };
      const root = node ? visibleNode(s, req.user!, node) : req.user!.scope;
      return s.live.snapshot((p) => inScope(root, p));
    },
  );
}
