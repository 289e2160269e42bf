import type { FastifyInstance } from 'fastify';
import type { ContractTypeProvider } from '../type-provider.js';
import { alertFacets, type AlertQuery } from '@opsroom/models';
import { AlertCountsQuery, AlertCountsSchema, AlertListQuery, AssignBody, ShelveBody } from '@opsroom/models/http';
import { OpsError } from '../../errors.js';
import { requireUser, visibleNode } from '../auth-hook.js';
import { alertIdParams, alertSchema, errorSchema, noteBody, writeErrors } from '../schemas.js';
import type { NoteBody } from '@opsroom/models/http';
import type { AppServices } from '../services.js';
import { alarmHealthRoutes } from './alarm-health.js';

const FILTERS_TEXT =
  'Filters: state (`open` = not resolved), node (alerts that passed through that node or its subtree), kind, ' +
  'priority, indicator, assignee (a user name; `-`: nobody), shelved (`exclude` is the default with state=open — ' +
  'the active list — and `include` otherwise; `only`), free text `q` (every word must begin a word, case and accents ' +
  "aside, in the alert's id, kind, state, priority, indicator id or name, node paths or names, assignee, summary " +
  'or trail), and raisedAt between `since` and `until` (ms since epoch, inclusive).';

/** models' AlertCountsSchema (its facets are checked against ALERT_FACETS in models/src/http/requests.test.ts). */
const countsSchema = AlertCountsSchema;

function checkedRange<Q extends AlertQuery>(q: Q): Q {
  if (q.since !== undefined && q.until !== undefined && q.since > q.until) {
    throw new OpsError('OPS_ERR_BAD_REQUEST', 'since must not be after until');
  }
  return q;
}

/**
 * Alerts in scope, one alert with its trail, and acknowledge / resolve / comment / directive.
 * Alerts outside the caller's scope answer 404 (their existence is not revealed); see docs/alerts.md.
 */
export function alertRoutes(server: FastifyInstance, s: AppServices): void {
  const app = server.withTypeProvider<ContractTypeProvider>();
  const auth = requireUser(s);
  alarmHealthRoutes(server, s);
  app.get(
    '/api/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts visible to the caller, newest first',
        description:
          "An alert is visible when any node it passed through lies in the caller's scope. " +
          FILTERS_TEXT +
          ' Ordered by priority (critical first), then the nearest deadline, then newest; `order=newest` orders by ' +
          ('raisedAt only. At most `limit` (default and maximum 1000). How many ' +
            'match each filter: `GET /api/alerts/counts`.'),
        querystring: AlertListQuery,
        response: { 200: { type: 'array', items: alertSchema }, 400: errorSchema, 401: errorSchema },
      },
      preHandler: auth,
    },
    async (req) => s.alerts.list(req.user!, checkedRange(req.query)),
  );

  app.get(
    '/api/alerts/counts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'How many alerts match the filters, and how many each other value of each filter would give',
        description:
          'The filters of `GET /api/alerts` (the same rules). `total`: how many ' +
          'match them all. `facets`: for each of ' +
          ('state, priority, kind, indicator, node (where raised), assignee (`-`: ' +
            'nobody) and shelved (`only`: shelved, ') +
          '`exclude`: not), the count of each value among the alerts that pass every *other* filter (a faceted ' +
          'search); `state` also counts `open`. Counted over the newest 10,000 alerts in range and every open one. ' +
          "A `node` outside the caller's scope answers 404, as one that does not exist.",
        querystring: AlertCountsQuery,
        response: { 200: countsSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
      preHandler: auth,
    },
    async (req) => {
      const q = checkedRange(req.query);
      if (q.node) visibleNode(s, req.user!, q.node);
      return alertFacets(s.alerts.scan(req.user!, q.since, q.until), q, s.alerts.alertWords());
    },
  );

  app.get(
    '/api/alerts/:id',
    {
      schema: {
        tags: ['alerts'],
        summary: 'One alert with its audit trail',
        params: alertIdParams,
        response: { 200: alertSchema, 401: errorSchema, 404: errorSchema },
      },
      preHandler: auth,
    },
    async (req) => s.alerts.get(req.params.id, req.user!),
  );

  // Before the actions: the route-scope test runs writes in this order, and resolve comes last.
  shelveRoutes(server, s);

  const actions = [
    [
      'ack',
      'Acknowledge: the owner level is on it (restarts its correction window once)',
      false,
      (id: string, u: Parameters<typeof s.alerts.acknowledge>[1], note?: string) => s.alerts.acknowledge(id, u, note),
    ],
    [
      'resolve',
      'Resolve: closes the alert at every level it passed through',
      false,
      (id: string, u: Parameters<typeof s.alerts.resolve>[1], note?: string) => s.alerts.resolve(id, u, note),
    ],
    [
      'comment',
      'Add a comment to the trail',
      true,
      (id: string, u: Parameters<typeof s.alerts.comment>[1], note?: string) => s.alerts.comment(id, u, note!),
    ],
    [
      'directive',
      'Send a decision down to the devices of the node where the anomaly was seen',
      true,
      (id: string, u: Parameters<typeof s.alerts.directive>[1], note?: string) => s.alerts.directive(id, u, note!),
    ],
  ] as const;
  for (const [name, summary, needsNote, act] of actions) {
    app.post(
      `/api/alerts/:id/${name}`,
      {
        schema: {
          tags: ['alerts'],
          summary,
          params: alertIdParams,
          body: noteBody(needsNote),
          response: { 200: alertSchema, ...writeErrors },
        },
        preHandler: auth,
      },
      async (req) => {
        const note = (req.body as NoteBody | undefined)?.note;
        if (needsNote && !note) throw new OpsError('OPS_ERR_BAD_REQUEST', 'note is required');
        return act(req.params.id, req.user!, note);
      },
    );
  }
}

/**
 * Shelving (ISA-18.2): `POST /api/alerts/:id/shelve {minutes, note}` hides an open alert from the
 * active list for at most its owner level's `max_shelve` (default 8 h) and pauses its correction
 * window; `POST /api/alerts/:id/unshelve {note?}` ends the shelf early. Who may: as for acknowledge
 * (the owner level or above); outside scope 404, as every alert route.
 */
export function shelveRoutes(server: FastifyInstance, s: AppServices): void {
  const app = server.withTypeProvider<ContractTypeProvider>();
  const auth = requireUser(s);
  const response = { 200: alertSchema, ...writeErrors };
  app.post(
    '/api/alerts/:id/shelve',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Shelve: hide from the active list for some minutes, pausing the correction window',
        description:
          "At most the owner level's `max_shelve` (model file; default 480 " +
          'minutes): longer is refused with 400. The shelf expires by itself (the ' +
          'window resumes with what was left of it). 409 when already shelved or resolved.',
        params: alertIdParams,
        body: ShelveBody,
        response,
      },
      preHandler: auth,
    },
    async (req) => {
      return s.alerts.shelve(req.params.id, req.user!, req.body.minutes, req.body.note);
    },
  );
  app.post(
    '/api/alerts/:id/assign',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Assign: set who is working on the alert (null: nobody)',
        description:
          "`user` must be a user whose scope covers the alert's owner (400 " +
          "otherwise); the caller must hold the owner's level or above, as for " +
          'acknowledge (403 below it). Recorded in the trail.',
        params: alertIdParams,
        body: AssignBody,
        response,
      },
      preHandler: auth,
    },
    async (req) => {
      return s.alerts.assign(req.params.id, req.user!, req.body.user ?? undefined, req.body.note || undefined);
    },
  );
  app.post(
    '/api/alerts/:id/unshelve',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Unshelve: back on the active list; the correction window resumes',
        params: alertIdParams,
        body: noteBody(false),
        response,
      },
      preHandler: auth,
    },
    async (req) => s.alerts.unshelve(req.params.id, req.user!, req.body?.note),
  );
}
