// Shared by the alert unit tests: a service on an injected clock that records what it announces.
import type { Alert, Model, ModelNode, NodeStatus } from '@opsroom/models';
import { silentLogger } from '../../src/log/logger.js';
import { createServerMetrics } from '../../src/metrics/registry.js';
import { tinyModel } from './tiny-model.js';
import type { Detection } from '../../src/vsm/live-model.js';
import { MemoryAlertRepository, type AlertRepository } from '../../src/alerts/alert-repository.js';
import { AlertService, type AlertEvent, type AlertServiceOptions } from '../../src/alerts/alert-service.js';

export const boss = { name: 'boss', role: 'planner', scope: 'r' };
export const councilA = { name: 'council-a', role: 'council', scope: 'r/a' };
export const councilB = { name: 'council-b', role: 'council', scope: 'r/b' };
export const workerA1 = { name: 'worker-a1', role: 'council', scope: 'r/a/a1' };

export const T0 = 1_000_000;

/**
 * tinyModel with `extra` more leaves under r/a (r/a/a3…), so grouping by count can be tried:
 * windows 60 s at leaves, 600 s at r/a and r/b, 3600 s at the root.
 */
export function wideModel(extra = 4): Model {
  const m = tinyModel();
  const a = m.nodes.get('r/a')!;
  for (let i = 3; i < 3 + extra; i++) {
    const path = `r/a/a${i}`;
    const leaf: ModelNode = {
      path,
      id: `a${i}`,
      name: `A${i}`,
      depth: 2,
      parent: 'r/a',
      children: [],
      correctionWindowSec: 60,
      weights: {},
      levels: {},
    };
    m.nodes.set(path, leaf);
    a.children.push(path);
  }
  return m;
}

export function setup(over: Partial<AlertServiceOptions> & { repo?: AlertRepository; clock?: { t: number } } = {}) {
  const clock = over.clock ?? { t: T0 };
  const repo = over.repo ?? new MemoryAlertRepository();
  const events: Array<[AlertEvent, Alert]> = [];
  const statuses: NodeStatus[][] = [];
  const directives: string[] = [];
  const svc = new AlertService({
    model: tinyModel(),
    now: () => clock.t,
    logger: silentLogger,
    metrics: createServerMetrics(),
    onEvent: (e, a) => events.push([e, a]),
    onStatus: (s) => statuses.push(s),
    onDirective: (node, _a, _actor, note) => directives.push(`${node}:${note}`),
    ...over,
    repo,
  });
  const eventsOf = (name: AlertEvent) => events.filter(([e]) => e === name).map(([, a]) => a);
  return { svc, events, eventsOf, statuses, directives, clock, repo };
}

export const step = (node: string, score = 0.95, value = 500, indicator = 'output'): Detection => ({
  node,
  indicator,
  ts: 0,
  value,
  output: {
    score,
    kind: 'step',
    probability: 0.97,
    forecast: { mean: 10, lower: 5, upper: 15 },
    alert: score >= 0.9,
    learning: false,
  },
});
