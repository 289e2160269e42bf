import type { FastifyInstance } from 'fastify';
import { OpsError } from '../../errors.js';
import { requireUser, visibleNode } from '../auth-hook.js';
import { errorSchema } from '../schemas.js';
import type { AppServices } from '../services.js';

const MAX_POINTS = 10_000;

/** Indicator history of one node, raw or aggregated per window. */
export function historyRoutes(app: FastifyInstance, s: AppServices): void {
  app.get(
    '/api/history',
    {
      schema: {
        tags: ['history'],
        summary: 'History of one indicator of one node in scope',
        querystring: {
          type: 'object',
          required: ['node', 'indicator'],
          additionalProperties: false,
          properties: {
            node: { type: 'string', maxLength: 512 },
            indicator: { type: 'string', maxLength: 64 },
            from: { type: 'integer', description: 'ms since epoch; default one hour ago' },
            to: { type: 'integer', description: 'ms since epoch; default now' },
            windowMs: { type: 'integer', minimum: 1000, description: 'bucket width; omit for raw points' },
            aggregate: { type: 'string', enum: ['mean', 'min', 'max', 'last', 'count'], default: 'mean' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              node: { type: 'string' },
              indicator: { type: 'string' },
              points: { type: 'array', items: { type: 'object', properties: { ts: { type: 'number' }, value: { type: 'number' } } } },
            },
          },
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
        },
      },
      preHandler: requireUser(s),
    },
    async (req) => {
      const q = req.query as { node: string; indicator: string; from?: number; to?: number; windowMs?: number; aggregate?: 'mean' | 'min' | 'max' | 'last' | 'count' };
      const node = visibleNode(s, req.user!, q.node);
      if (!s.model().indicators.some((i) => i.id === q.indicator)) throw new OpsError('OPS_ERR_NOT_FOUND', `indicator ${q.indicator}`);
      const to = q.to ?? s.now();
      const from = q.from ?? to - 3600_000;
      if (from > to) throw new OpsError('OPS_ERR_BAD_REQUEST', 'from must not be after to');
      // A parent's history is its descendants' readings aggregated; leaves hold the raw readings.
      const points = await s.store.query({ node, metric: q.indicator, from, to, windowMs: q.windowMs, aggregate: q.aggregate });
      return { node, indicator: q.indicator, points: points.slice(-MAX_POINTS) };
    },
  );
}
