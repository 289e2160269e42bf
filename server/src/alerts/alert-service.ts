import { randomUUID } from 'node:crypto';
import { inScope, type Alert, type ChangeKind, type Model, type NodeStatus } from '@opsroom/models';
import { OpsError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/registry.js';
import type { Detection } from '../vsm/live-model.js';
import { canApply, isOverdue, type AlertAction } from './alert-lifecycle.js';
import type { AlertRepository } from './alert-repository.js';

export type AlertEvent = 'raised' | 'updated' | 'escalated' | 'resolved';

export interface Actor {
  name: string;
  role: string;
  scope: string;
}

export interface AlertServiceOptions {
  model: Model;
  repo: AlertRepository;
  now: () => number;
  scoreThreshold: number;
  /** Least time between two `updated` events for one persisting anomaly, ms. */
  updateEveryMs?: number;
  logger: Logger;
  metrics: ServerMetrics;
  onEvent: (event: AlertEvent, alert: Alert) => void;
  onStatus: (statuses: NodeStatus[]) => void;
  /** Sends a planner's directive down to the devices of a node. */
  onDirective?: (node: string, alert: Alert, actor: Actor, note: string) => void;
}

/**
 * Algedonic alerts: raised where the anomaly is seen and owned by that node, escalated one level
 * up whenever the owner's correction window runs out, persisted on every change.
 */
export class AlertService {
  /** Open alerts by id, and the open alert of each (node, indicator). */
  private readonly open = new Map<string, Alert>();
  private readonly openByKey = new Map<string, string>();
  private readonly lastUpdate = new Map<string, number>();

  constructor(private readonly opts: AlertServiceOptions) {
    for (const a of opts.repo.loadOpen()) {
      this.open.set(a.id, a);
      this.openByKey.set(`${a.node}\u0000${a.indicator}`, a.id);
    }
    opts.metrics.alertsOpen.collect(() => opts.metrics.alertsOpen.set(this.open.size));
  }

  /** Called for every detector output; raises or updates an alert when it is anomalous enough. */
  onDetection(d: Detection): void {
    const out = d.output;
    if (out.kind === 'none' || out.score < this.opts.scoreThreshold) return;
    const key = `${d.node}\u0000${d.indicator}`;
    const now = this.opts.now();
    const openId = this.openByKey.get(key);
    if (openId) {
      // One alert per ongoing anomaly: the latest evidence updates it.
      const a = this.open.get(openId)!;
      // The detector's view sharpens with more readings (a first outlier looks transient; a few more at the new level make it a step).
      a.value = d.value;
      a.score = Math.max(a.score, out.score);
      a.kind = out.kind as ChangeKind;
      a.probability = out.probability;
      if (out.forecast) a.forecast = out.forecast;
      a.updatedAt = now;
      if (now - (this.lastUpdate.get(a.id) ?? 0) >= (this.opts.updateEveryMs ?? 5000)) {
        this.lastUpdate.set(a.id, now);
        this.persist(a, 'updated');
      }
      return;
    }
    const node = this.opts.model.nodes.get(d.node);
    if (!node) return;
    const alert: Alert = {
      id: randomUUID(),
      node: d.node,
      owner: d.node,
      path: [d.node],
      indicator: d.indicator,
      kind: out.kind as ChangeKind,
      probability: out.probability,
      score: out.score,
      state: 'raised',
      value: d.value,
      forecast: out.forecast ?? undefined,
      raisedAt: now,
      updatedAt: now,
      deadline: now + node.correctionWindowSec * 1000,
      trail: [{ at: now, actor: 'system', action: 'raised', fromNode: d.node, toNode: d.node, note: `${out.kind} change in ${d.indicator} (p=${out.probability.toFixed(2)})` }],
    };
    this.open.set(alert.id, alert);
    this.openByKey.set(key, alert.id);
    this.opts.metrics.alertsRaised.inc({ kind: alert.kind });
    this.opts.logger.info({ alert: alert.id, node: alert.node, indicator: alert.indicator, kind: alert.kind }, 'alert raised');
    this.persist(alert, 'raised');
  }

  /** Escalates every overdue alert one level up (run on a timer, and at start-up). */
  checkDeadlines(): void {
    const now = this.opts.now();
    for (const a of this.open.values()) {
      if (!isOverdue(a, now)) continue;
      const owner = this.opts.model.nodes.get(a.owner);
      const parent = owner?.parent ? this.opts.model.nodes.get(owner.parent) : undefined;
      if (!parent) {
        // The root's window ran out: nobody further up. The deadline lapses; the node shows crisis.
        a.trail.push({ at: now, actor: 'system', action: 'escalated', fromNode: a.owner, toNode: a.owner, note: 'correction window ran out at the root' });
        a.deadline = null;
        a.state = 'escalated';
        this.persist(a, 'escalated');
        continue;
      }
      a.trail.push({ at: now, actor: 'system', action: 'escalated', fromNode: a.owner, toNode: parent.path, note: `correction window of ${a.owner} ran out` });
      a.owner = parent.path;
      a.path.push(parent.path);
      a.state = 'escalated';
      a.deadline = now + parent.correctionWindowSec * 1000;
      this.opts.metrics.alertsEscalated.inc();
      this.opts.logger.info({ alert: a.id, to: parent.path }, 'alert escalated');
      this.persist(a, 'escalated');
    }
  }

  acknowledge(id: string, actor: Actor, note?: string): Alert {
    const a = this.actionable(id, actor, 'acknowledge');
    const now = this.opts.now();
    const window = this.opts.model.nodes.get(a.owner)!.correctionWindowSec * 1000;
    a.state = 'acknowledged';
    a.deadline = now + window; // a fresh window to correct; see alert-lifecycle.ts
    a.trail.push({ at: now, actor: actor.name, action: 'acknowledged', fromNode: a.owner, toNode: a.owner, note });
    this.persist(a, 'updated');
    return structuredClone(a);
  }

  resolve(id: string, actor: Actor, note?: string): Alert {
    const a = this.actionable(id, actor, 'resolve');
    const now = this.opts.now();
    a.state = 'resolved';
    a.deadline = null;
    a.trail.push({ at: now, actor: actor.name, action: 'resolved', fromNode: a.owner, toNode: a.owner, note });
    this.open.delete(a.id);
    this.openByKey.delete(`${a.node}\u0000${a.indicator}`);
    this.lastUpdate.delete(a.id);
    this.persist(a, 'resolved');
    return structuredClone(a);
  }

  comment(id: string, actor: Actor, note: string): Alert {
    const a = this.actionable(id, actor, 'comment');
    a.trail.push({ at: this.opts.now(), actor: actor.name, action: 'commented', fromNode: a.owner, toNode: a.owner, note });
    this.persist(a, 'updated');
    return structuredClone(a);
  }

  /** A decision sent back down to the node where the anomaly was seen. */
  directive(id: string, actor: Actor, note: string): Alert {
    if (actor.role === 'council' && !inScope(actor.scope, this.get(id, actor).owner)) throw new OpsError('OPS_ERR_FORBIDDEN_ACTION', 'only the owner level may send a directive');
    const a = this.actionable(id, actor, 'directive');
    a.trail.push({ at: this.opts.now(), actor: actor.name, action: 'directive', fromNode: a.owner, toNode: a.node, note });
    this.persist(a, 'updated');
    this.opts.onDirective?.(a.node, a, actor, note);
    return structuredClone(a);
  }

  /** One alert if the actor may see it (any node of its path in scope), else 404. */
  get(id: string, actor: Actor): Alert {
    const a = this.open.get(id) ?? this.opts.repo.get(id);
    if (!a || !visibleTo(a, actor)) throw new OpsError('OPS_ERR_NOT_FOUND', `alert ${id}`);
    return structuredClone(a);
  }

  list(actor: Actor, filter: { state?: string; node?: string; kind?: string; since?: number } = {}): Alert[] {
    const all = filter.state === 'open' ? [...this.open.values()].sort((a, b) => b.raisedAt - a.raisedAt) : this.opts.repo.list({ since: filter.since });
    return all
      .map((a) => this.open.get(a.id) ?? a)
      .filter((a) => visibleTo(a, actor))
      .filter((a) => !filter.state || filter.state === 'open' || a.state === filter.state)
      .filter((a) => !filter.node || a.path.some((p) => inScope(filter.node!, p)))
      .filter((a) => !filter.kind || a.kind === filter.kind)
      .filter((a) => !filter.since || a.raisedAt >= filter.since)
      .map((a) => structuredClone(a));
  }

  /** Status of the given nodes from the open alerts they own. */
  statuses(paths: Iterable<string>): NodeStatus[] {
    const now = this.opts.now();
    const out: NodeStatus[] = [];
    for (const node of paths) {
      let openAlerts = 0;
      let next: number | null = null;
      let crisis = false;
      for (const a of this.open.values()) {
        if (a.owner !== node) continue;
        openAlerts++;
        if (a.deadline !== null && (next === null || a.deadline < next)) next = a.deadline;
        if (a.state === 'escalated' && (a.deadline === null || a.deadline <= now || a.node !== node)) crisis = true;
      }
      out.push({ node, state: openAlerts === 0 ? 'normal' : crisis ? 'crisis' : 'alert', openAlerts, nextDeadline: next });
    }
    return out;
  }

  private actionable(id: string, actor: Actor, action: AlertAction): Alert {
    const a = this.open.get(id) ?? this.opts.repo.get(id);
    if (!a || !visibleTo(a, actor)) throw new OpsError('OPS_ERR_NOT_FOUND', `alert ${id}`);
    if (!canApply(a.state, action)) throw new OpsError('OPS_ERR_CONFLICT', `cannot ${action} an alert that is ${a.state}`);
    // Acknowledging belongs to the current owner's level (or above); resolving to any level the alert passed through.
    if (action === 'acknowledge' && !inScope(actor.scope, a.owner)) throw new OpsError('OPS_ERR_FORBIDDEN_ACTION', `the alert is owned by ${a.owner} now`);
    return a;
  }

  private persist(a: Alert, event: AlertEvent): void {
    this.opts.repo.save(a);
    this.opts.onEvent(event, structuredClone(a));
    this.opts.onStatus(this.statuses(new Set(a.path)));
  }
}

/** An alert is visible to a user when any node it passed through is inside the user's scope. */
export function visibleTo(a: Alert, actor: { scope: string }): boolean {
  return a.path.some((p) => inScope(actor.scope, p));
}
