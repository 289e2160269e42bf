import type { FastifyInstance } from 'fastify';
import { HistoryQuery, HistoryResult } from '@opsroom/models/http';
import { OpsError } from '../../errors.js';
import { readHistory } from '../../history/read-history.js';
import { requireUser, visibleNode } from '../auth-hook.js';
import { errorSchema } from '../schemas.js';
import type { AppServices } from '../services.js';
import type { ContractTypeProvider } from '../type-provider.js';

/** Indicator history of one node, at a resolution that fits `maxPoints` (issue 18 point 3). */
export function historyRoutes(server: FastifyInstance, s: AppServices): void {
  const app = server.withTypeProvider<ContractTypeProvider>();
  app.get(
    '/api/history',
    {
      schema: {
        tags: ['history'],
        summary: 'History of one indicator of one node in scope',
        description:
          'At most maxPoints points. Without windowMs: raw points when the range ' +
          'holds at most maxPoints of them, else windows of the finest step that fits. ' +
          ("With windowMs: that width (a parent's is at least the roll-up period); " +
            'when it gives more than maxPoints windows the oldest are left out and ' +
            'truncated says so. ') +
          "A parent's history is computed from its leaves' stored readings with the indicator's roll-up rule.",
        querystring: HistoryQuery,
        response: {
          200: HistoryResult,
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
        },
      },
      preHandler: requireUser(s),
    },
    async (req) => {
      const q = req.query;
      const node = visibleNode(s, req.user!, q.node);
      if (!s.model().indicators.some((i) => i.id === q.indicator))
        throw new OpsError('OPS_ERR_NOT_FOUND', `indicator ${q.indicator}`);
      const to = q.to ?? s.now();
      const from = q.from ?? to - 3600_000;
      if (from > to) throw new OpsError('OPS_ERR_BAD_REQUEST', 'from must not be after to');
      // A parent's history is computed from its leaves' stored readings (the live roll-up rule), a
      // leaf's is its stored readings. A parent's may include leaves the caller sees only through it.
      return readHistory(
        s.store,
        s.model(),
        {
          node,
          indicator: q.indicator,
          from,
          to,
          windowMs: q.windowMs,
          aggregate: q.aggregate,
          maxPoints: q.maxPoints,
        },
        { rollupPeriodMs: s.config.rollupPeriodMs },
      );
    },
  );
}
