import type { FastifyInstance } from 'fastify';
import { historyCsv } from '@opsroom/models';
import { HistoryQuery, HistoryResult } from '@opsroom/models/http';
import { OpsError } from '../../errors.js';
import { readHistory, type HistoryAnswer } from '../../history/read-history.js';
import { askChildOrHere, childServerFor, requireUser, visibleNode } from '../auth-hook.js';
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
          "A parent's history is computed from its leaves' stored readings with the indicator's roll-up rule. " +
          'format=csv answers the same points as text/csv (RFC 4180, CRLF): a header row ' +
          'time,ts,node,indicator,unit,aggregate,step_ms,value, then one row per point (time ISO 8601 UTC, ' +
          'ts ms since epoch, aggregate raw for raw points); the same parameters, scope and errors (errors stay JSON). ' +
          'The CSV says what the JSON resolution and truncated say in the headers X-Opsroom-Resolution (its reason) ' +
          'and X-Opsroom-Truncated (true/false).',
        querystring: HistoryQuery,
        response: {
          200: HistoryResult,
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
          503: errorSchema,
        },
      },
      preHandler: requireUser(s),
    },
    async (req, reply) => {
      const q = req.query;
      const owner = childServerFor(s, req.user!, q.node);
      const node = owner ? q.node : visibleNode(s, req.user!, q.node);
      if (!s.model().indicators.some((i) => i.id === q.indicator))
        throw new OpsError('OPS_ERR_NOT_FOUND', `indicator ${q.indicator}`);
      const to = q.to ?? s.now();
      const from = q.from ?? to - 3600_000;
      if (from > to) throw new OpsError('OPS_ERR_BAD_REQUEST', 'from must not be after to');
      const request = {
        indicator: q.indicator,
        from,
        to,
        ...(q.windowMs !== undefined ? { windowMs: q.windowMs } : {}),
        aggregate: q.aggregate,
        maxPoints: q.maxPoints,
      };
      // A parent's history is computed from its leaves' stored readings (the live roll-up rule), a
      // leaf's is its stored readings. A parent's may include leaves the caller sees only through it.
      // A node a child server owns (federation) is answered by that server, inside the caller's scope.
      const here = () =>
        readHistory(s.store, s.model(), { node, ...request }, { rollupPeriodMs: s.config.rollupPeriodMs });
      const result = owner
        ? await askChildOrHere(
            s,
            node,
            async () =>
              (await s.remote!.ask(owner, {
                route: 'history',
                scope: req.user!.scope,
                node,
                history: request,
              })) as HistoryAnswer,
            here,
          )
        : await here();
      if (q.format !== 'csv') return result;
      const unit = s.model().indicators.find((i) => i.id === q.indicator)?.unit;
      const csv = historyCsv([
        {
          node: result.node,
          indicator: result.indicator,
          unit,
          aggregate: result.resolution.aggregate,
          stepMs: result.resolution.stepMs,
          points: result.points,
        },
      ]);
      // A string with a non-JSON type is sent as it is, not through the JSON response schema.
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${csvFileName(result)}"`)
        .header('x-opsroom-resolution', result.resolution.reason.replace(/[^\x20-\x7e]/g, '?'))
        .header('x-opsroom-truncated', String(result.truncated))
        .send(csv);
    },
  );
}

/**
 * A file name for a history CSV: node (slashes as dots), indicator and range, only safe characters.
 * @example csvFileName({ node: 'valle/norte', indicator: 'output', from: 0, to: 60_000 })
 * // 'valle.norte-output-19700101T000000Z-19700101T000100Z.csv'
 */
export function csvFileName(r: { node: string; indicator: string; from: number; to: number }): string {
  const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]|\.\d+/g, '');
  const safe = (x: string): string => x.replace(/\//g, '.').replace(/[^A-Za-z0-9._-]/g, '_');
  return `${safe(r.node)}-${safe(r.indicator)}-${stamp(r.from)}-${stamp(r.to)}.csv`;
}
