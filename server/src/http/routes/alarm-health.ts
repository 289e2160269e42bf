import type { FastifyInstance } from 'fastify';
import { alarmHealth } from '@opsroom/models';
import {
  ALARM_HEALTH_HOURS,
  AlarmHealthAnswerSchema,
  AlarmHealthQuery,
  type AlarmHealth,
  type AlarmHealthAnswer,
  type ChildHealth,
} from '@opsroom/models/http';
import type { ContractTypeProvider } from '../type-provider.js';
import type { Actor } from '../../alerts/alert-service.js';
import { requireUser, visibleNode } from '../auth-hook.js';
import { errorSchema } from '../schemas.js';
import type { AppServices } from '../services.js';
import type { MetricsRegistry, ServerMetrics } from '../../metrics/registry.js';

/** The window of `GET /api/alarm-health` when none is asked for, and of the `/metrics` gauges, hours. */
export const HEALTH_HOURS = ALARM_HEALTH_HOURS.default;
/** The longest window one may ask for, hours (7 days). */
export const MAX_HEALTH_HOURS = ALARM_HEALTH_HOURS.max;

const HOUR_MS = 3600_000;

/**
 * The alarm-health figures of `node` (and of each of its children) for `actor`, over `hours`
 * ending now. Pure but for reading the alert service.
 */
export function healthOf(s: AppServices, actor: Actor, node: string, hours: number): AlarmHealthAnswer {
  const now = s.now();
  const alerts = s.alerts.scan(actor, now - hours * HOUR_MS);
  const health = alarmHealth(alerts, { node, now, hours });
  const children = (s.model().nodes.get(node)?.children ?? []).map((child): ChildHealth => {
    const h = alarmHealth(alerts, { node: child, now, hours });
    const { raises, alertsPerHour, standing, open, shelved, chattering } = h;
    return { node: child, raises, alertsPerHour, flooded: h.floods.flooded, standing, open, shelved, chattering };
  });
  return { ...health, children };
}

/**
 * `GET /api/alarm-health?node=&hours=` (issue 15 point 7): the alarm system's own performance in
 * ISA-18.2 terms for a node in the caller's scope (default: the scope node), and the whole tree's
 * figures as `/metrics` gauges. A node outside the caller's scope answers 404, as one that does not
 * exist.
 */
export function alarmHealthRoutes(server: FastifyInstance, s: AppServices): void {
  const app = server.withTypeProvider<ContractTypeProvider>();
  app.get(
    '/api/alarm-health',
    {
      schema: {
        tags: ['alerts'],
        summary: "The alarm system's own health (ISA-18.2 metrics) for a node's subtree",
        description:
          'Over the last `hours` (default 24, at most 168): raises per hour and per hour of the window, the share ' +
          'of 10-minute intervals with more than 10 raises (floods), open alerts last raised over 24 h ago ' +
          '(standing), the ten most frequent (node, indicator) pairs, chattering, shelved and open alerts, and ' +
          "the median time to acknowledge and to resolve; the same for each child. `node` defaults to the caller's " +
          'scope; outside it, 404. Alerts count when they passed through the node or its subtree.',
        querystring: AlarmHealthQuery,
        response: { 200: AlarmHealthAnswerSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
      preHandler: requireUser(s),
    },
    async (req) => {
      const q = req.query;
      const user = req.user!;
      const node = q.node ? visibleNode(s, user, q.node) : user.scope;
      return healthOf(s, user, node, q.hours ?? HEALTH_HOURS);
    },
  );
  // start.ts fills the services in after build(): hook the gauges up once they are there.
  app.addHook('onReady', async () => exportHealthGauges(s));
}

const exported = new WeakSet<ServerMetrics>();

/**
 * The whole tree's alarm health over the last 24 h as `/metrics` gauges, computed at scrape time
 * (at most once per 10 s). No node labels: `/metrics` is public, and node names are scoped data.
 */
function exportHealthGauges(s: AppServices): void {
  const m = s.metrics;
  if (!m || exported.has(m)) return;
  exported.add(m);
  let cached: { at: number; h: AlarmHealth } | null = null;
  const health = (): AlarmHealth => {
    const now = s.now();
    if (cached && now - cached.at < 10_000 && now >= cached.at) return cached.h;
    const root = s.model().root;
    const actor = { name: 'metrics', role: 'admin', scope: root };
    const h = alarmHealth(s.alerts.scan(actor, now - HEALTH_HOURS * HOUR_MS), { node: root, now, hours: HEALTH_HOURS });
    cached = { at: now, h };
    return h;
  };
  const g = alarmHealthGauges(m.registry);
  g.alertsPerHour.collect(() => g.alertsPerHour.set(health().alertsPerHour));
  g.floodShare.collect(() => g.floodShare.set(health().floods.share));
  g.standing.collect(() => g.standing.set(health().standing));
  g.chattering.collect(() => g.chattering.set(health().chattering));
  g.shelved.collect(() => g.shelved.set(health().shelved));
  g.topShare.collect(() => {
    const h = health();
    g.topShare.set(h.raises ? h.top.reduce((n, t) => n + t.count, 0) / h.raises : 0);
  });
  g.ackMedian.collect(() => g.ackMedian.set(seconds(health().medianAckMs)));
  g.resolveMedian.collect(() => g.resolveMedian.set(seconds(health().medianResolveMs)));
}

/** The alarm-health gauges, registered once per registry; their values come at scrape time. */
function alarmHealthGauges(registry: MetricsRegistry) {
  const g = (name: string, help: string) => registry.gauge(`opsroom_alarm_${name}`, `${help} (whole tree, last 24 h).`);
  return {
    alertsPerHour: g('alerts_per_hour', 'Alerts raised per hour, re-raises of chattering alerts included'),
    floodShare: g('flood_interval_ratio', 'Share of 10-minute intervals with more than 10 alerts raised (floods)'),
    standing: g('standing_alerts', 'Open alerts last raised more than 24 h ago'),
    chattering: g('chattering_alerts', 'Alerts held as chattering, open or chattering in the window'),
    shelved: g('shelved_alerts', 'Alerts shelved now'),
    topShare: g('top10_ratio', 'Share of raises made by the ten most frequent node and indicator pairs'),
    ackMedian: g('ack_median_seconds', 'Median time from a raise to its first acknowledge, s (NaN: none)'),
    resolveMedian: g('resolve_median_seconds', 'Median time from a raise to its resolve, s (NaN: none)'),
  };
}

/** ms to s; NaN (Prometheus' "no value") when there was nothing to time. */
const seconds = (ms: number | null): number => (ms === null ? NaN : ms / 1000);
