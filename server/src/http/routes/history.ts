import type { FastifyInstance } from 'fastify';
import { OpsError } from '../../errors.js';
import { readHistory } from '../../history/read-history.js';
import { DEFAULT_MAX_POINTS, MAX_MAX_POINTS, MIN_MAX_POINTS } from '../../history/resolution.js';
import type { Aggregate } from '../../store/store.js';
import { requireUser, visibleNode } from '../auth-hook.js';
import { errorSchema } from '../schemas.js';
import type { AppServices } from '../services.js';

const resolutionSchema = {
  type: 'object',
  description: 'What the points are: raw points or windows of stepMs, read from where, computed how, and why',
  required: ['stepMs', 'aggregate', 'source', 'basis', 'reason'],
  properties: {
    stepMs: { type: 'integer', nullable: true, description: 'window width, ms; null for raw points' },
    aggregate: { type: 'string', nullable: true, description: 'mean, min, max, last or count; null for raw points' },
    source: { type: 'string', enum: ['raw', 'minute', 'hour', 'store'], description: 'raw points, a stored tier (embedded store), or windows the store computes' },
    basis: { type: 'string', enum: ['stored', 'children'], description: "stored: the node's own series; children: rolled up from its leaves' stored series by the indicator's rule" },
    rule: { type: 'string', description: 'the roll-up rule (basis children)' },
    leaves: { type: 'integer', description: 'leaves read (basis children)' },
    reason: { type: 'string' },
  },
} as const;

/** Indicator history of one node, at a resolution that fits `maxPoints` (issue 18 point 3). */
export function historyRoutes(app: FastifyInstance, s: AppServices): void {
  app.get(
    '/api/history',
    {
      schema: {
        tags: ['history'],
        summary: 'History of one indicator of one node in scope',
        description:
          'At most maxPoints points. Without windowMs: raw points when the range holds at most maxPoints of them, else windows of the finest step that fits. ' +
          "With windowMs: that width (a parent's is at least the roll-up period); when it gives more than maxPoints windows the oldest are left out and truncated says so. " +
          "A parent's history is computed from its leaves' stored readings with the indicator's roll-up rule.",
        querystring: {
          type: 'object',
          required: ['node', 'indicator'],
          additionalProperties: false,
          properties: {
            node: { type: 'string', maxLength: 512 },
            indicator: { type: 'string', maxLength: 64 },
            from: { type: 'integer', description: 'ms since epoch; default one hour ago' },
            to: { type: 'integer', description: 'ms since epoch; default now' },
            windowMs: { type: 'integer', minimum: 1000, description: 'window width; omit to let the server pick raw points or a step that fits maxPoints' },
            aggregate: { type: 'string', enum: ['mean', 'min', 'max', 'last', 'count'], default: 'mean' },
            maxPoints: { type: 'integer', minimum: MIN_MAX_POINTS, maximum: MAX_MAX_POINTS, default: DEFAULT_MAX_POINTS, description: 'most points in the answer' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['node', 'indicator', 'from', 'to', 'points', 'resolution', 'truncated'],
            properties: {
              node: { type: 'string' },
              indicator: { type: 'string' },
              from: { type: 'number', description: 'the range answered: later than asked when truncated' },
              to: { type: 'number' },
              points: { type: 'array', items: { type: 'object', properties: { ts: { type: 'number' }, value: { type: 'number' } } } },
              resolution: resolutionSchema,
              truncated: { type: 'boolean', description: 'true when part of the range asked for was left out' },
              truncatedReason: { type: 'string' },
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
      const q = req.query as { node: string; indicator: string; from?: number; to?: number; windowMs?: number; aggregate: Aggregate; maxPoints: number };
      const node = visibleNode(s, req.user!, q.node);
      if (!s.model().indicators.some((i) => i.id === q.indicator)) throw new OpsError('OPS_ERR_NOT_FOUND', `indicator ${q.indicator}`);
      const to = q.to ?? s.now();
      const from = q.from ?? to - 3600_000;
      if (from > to) throw new OpsError('OPS_ERR_BAD_REQUEST', 'from must not be after to');
      // A parent's history is computed from its leaves' stored readings (the live roll-up rule), a
      // leaf's is its stored readings. A parent's may include leaves the caller sees only through it.
      return readHistory(s.store, s.model(), { node, indicator: q.indicator, from, to, windowMs: q.windowMs, aggregate: q.aggregate, maxPoints: q.maxPoints }, { rollupPeriodMs: s.config.rollupPeriodMs });
    },
  );
}
