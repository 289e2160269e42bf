import type { Reading } from '@opsroom/models';

/** The counters the agent reports about itself (a subset of `AgentStats`). */
export interface HealthCounters {
  queued: number;
  dropped: number;
  published: number;
  sampled: number;
  rejected: number;
  sourceErrors: number;
  reconnects: number;
  directives: number;
  connected: boolean;
  lastPublishAt: number | null;
  startedAt: number;
}

/** Metric ids of the agent's own health readings, all matching METRIC_PATTERN. */
export const HEALTH_METRICS = Object.freeze([
  'agent_buffer_depth',
  'agent_dropped_total',
  'agent_published_total',
  'agent_sampled_total',
  'agent_rejected_total',
  'agent_source_errors_total',
  'agent_reconnects_total',
  'agent_directives_total',
  'agent_connected',
  'agent_uptime_s',
  'agent_last_publish_age_s',
] as const);

/**
 * The agent's health as readings stamped `now`, for the device's status topic. Counters named
 * `_total` only grow while the agent runs (`agent_dropped_total` also across restarts with a
 * disk outbox). `agent_last_publish_age_s` is left out until the first publish succeeded.
 * @example healthReadings({ queued: 3, dropped: 0, published: 10, sampled: 13, rejected: 0, sourceErrors: 0,
 * reconnects: 1, directives: 0, connected: true, lastPublishAt: 9000, startedAt: 0 }, 10_000)
 *   // [..., { metric: 'agent_buffer_depth', value: 3, ts: 10000 }, ..., { metric: 'agent_last_publish_age_s', value:
 *     1, ts: 10000 }]
 */
export function healthReadings(h: HealthCounters, now: number): Reading[] {
  const values: Record<(typeof HEALTH_METRICS)[number], number | undefined> = {
    agent_buffer_depth: h.queued,
    agent_dropped_total: h.dropped,
    agent_published_total: h.published,
    agent_sampled_total: h.sampled,
    agent_rejected_total: h.rejected,
    agent_source_errors_total: h.sourceErrors,
    agent_reconnects_total: h.reconnects,
    agent_directives_total: h.directives,
    agent_connected: h.connected ? 1 : 0,
    agent_uptime_s: Math.max(0, Math.round((now - h.startedAt) / 1000)),
    agent_last_publish_age_s:
      h.lastPublishAt === null ? undefined : Math.max(0, Math.round((now - h.lastPublishAt) / 100) / 10),
  };
  const out: Reading[] = [];
  for (const metric of HEALTH_METRICS) {
    const value = values[metric];
    if (value !== undefined) out.push({ metric, value, ts: now });
  }
  return out;
}
