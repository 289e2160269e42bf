import type { FastifyInstance } from 'fastify';
import type { ContractTypeProvider } from '../type-provider.js';
import { LatestQuery, ModelQuery, ModelViewSchema } from '@opsroom/models/http';
import { inScope, type IndicatorUpdate, type ModelView } from '@opsroom/models';
import { modelView, withLiveValues } from '../../model/view.js';
import { askChildOrHere, childServerFor, requireUser, visibleNode } from '../auth-hook.js';
import { errorSchema, indicatorUpdateSchema } from '../schemas.js';
import type { AppServices, RemoteNodes } from '../services.js';
import { childParts, latestAcross } from '../../federation/remote-queries.js';

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
      if (s.remote) return remoteView(s, s.remote, scope, values !== false);
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
        response: {
          200: { type: 'array', items: indicatorUpdateSchema },
          401: errorSchema,
          404: errorSchema,
          503: errorSchema,
        },
      },
      preHandler: requireUser(s),
    },
    async (req) => {
      const { node } = req.query;
      const owner = node ? childServerFor(s, req.user!, node) : undefined;
      // A node a child server owns (federation): that server answers, inside the caller's scope.
      if (owner && node)
        return askChildOrHere(
          s,
          node,
          async () =>
            (await s.remote!.ask(owner, { route: 'latest', scope: req.user!.scope, node })) as IndicatorUpdate[],
          () => s.live.snapshot((p) => inScope(node, p)),
        );
      const root = node ? visibleNode(s, req.user!, node) : req.user!.scope;
      return s.live.snapshot((p) => inScope(root, p));
    },
  );
}

/**
 * A parent server's view (federation, issue 19 point 3): the whole tree in scope from the model file, each node a child
 * server runs marked with that `server`, its values asked of that server (a child that cannot be reached leaves its
 * nodes without values, and the view says so in `unreachable`).
 */
async function remoteView(s: AppServices, remote: RemoteNodes, scope: string, values: boolean): Promise<ModelView> {
  // The whole file's tree holds every node of this server's narrowed one (and every user's scope).
  const view = modelView(remote.fullModel(), scope);
  for (const n of view.nodes) {
    const server = remote.serverOf(n.path); // undefined for this server's own nodes
    if (server !== undefined) n.server = server;
  }
  if (!values) return view;
  const own = s.live.snapshot((p) => inScope(scope, p));
  const { updates, unreachable } = await latestAcross(own, childParts(remote, scope, scope), scope, remote);
  const out = withLiveValues(view, updates, s.now());
  if (unreachable.length) out.unreachable = unreachable;
  return out;
}
