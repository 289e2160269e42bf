import { randomUUID } from 'node:crypto';
import { DEFAULT_CORRECTION_WINDOW_SEC, DEFAULT_MAX_SHELVE_SEC } from '../model/index.js';
import { alertMatches, inScope, type Alert, type AlertQuery, type AlertWords } from '@opsroom/models';
import type { ChangeKind, ChatteringRule, Model, NodeStatus } from '@opsroom/models';
import { OpsError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/registry.js';
import type { Detection } from '../vsm/live-model.js';
import {
  acknowledgeAlert,
  assertMay,
  commentAlert,
  directiveAlert,
  escalateAlert,
  isOverdue,
  joinGroup,
  noteEvidence,
  noteRefire,
  assignAlert,
  raiseAlert,
  reopenAlert,
  resolveAlert,
  says,
  shelfExpired,
  shelveAlert,
  unshelveAlert,
  visibleTo,
  type Actor,
} from './alert-lifecycle.js';
import type { AlertRepository } from './alert-repository.js';
import { AlertChangeSet, type AlertEvent } from './alert-change-set.js';
import { StateWrites } from '../state/state-writes.js';
import { directiveAwaitingAck } from './directive-ledger.js';
import type { AlertNotifier, NotifyEvent } from './webhook-notifier.js';
import type { MaintenanceWindows } from './maintenance-windows.js';
import { effectiveEnd } from './maintenance-repository.js';
import { describeAlert, type IndicatorWords } from './alert-words.js';
import {
  alertPriority,
  basePriority,
  byPriorityThenDeadline,
  highestPriority,
  priorityRank,
} from './alert-priority.js';

export type { Actor } from './alert-lifecycle.js';
export { visibleTo } from './alert-lifecycle.js';

export type { AlertEvent } from './alert-change-set.js';

/** Raises whose save failed wait here (one per node and indicator) for the next deadline check; at most this many. */
export const MAX_PENDING_RAISES = 1000;

/** When a parent raises one grouping alert for its children's. */
export interface GroupingOptions {
  /** Children's alerts raised within this span of each other count together, ms. */
  spanMs: number;
  /** Group when at least this many distinct children alert… */
  minChildren: number;
  /** …or at least this share of the parent's children (never fewer than 2 children). */
  minShare: number;
}

/**
 * The chattering rule when the model sets none (`chattering:`): more than 3 re-raises within 60
 * minutes at one node and indicator. Our alerts clear only when someone resolves them, so a fourth
 * resolve-and-come-back within the hour is a nuisance pattern, not news.
 */
export const DEFAULT_CHATTERING: ChatteringRule = Object.freeze({ reraises: 3, minutes: 60 });

/**
 * How often an unacknowledged alert is posted again to its owner's webhook when the model's `notify:` says nothing, s.
 */
export const DEFAULT_REMIND_EVERY_SEC = 3600;

export const DEFAULT_GROUPING: GroupingOptions = Object.freeze({ spanMs: 5 * 60_000, minChildren: 3, minShare: 0.5 });

/**
 * The list's filters: every field of {@link AlertQuery} (state, node, kind, priority, indicator,
 * assignee, shelved, free text `q`, raisedAt range; models/src/alerts/alert-query.ts), an order
 * and a limit.
 */
export interface AlertFilter extends AlertQuery {
  /** `priority` (default): priority, then the nearest deadline, then newest; `newest`: by raisedAt. */
  order?: 'priority' | 'newest';
  /** At most this many (default and maximum 1000). */
  limit?: number;
}

export interface AlertServiceOptions {
  /** Replaced by replaceModel() when the model file is edited. */
  model: Model;
  repo: AlertRepository;
  now: () => number;
  /**
   * A monotonic clock in ms for `opsroom_detection_to_alert_seconds` (default performance.now):
   * `now` is the wall clock the alerts are stamped with, whole milliseconds and free to jump.
   */
  latencyClock?: () => number;
  /** Least time between two `updated` events for one persisting anomaly, ms. */
  updateEveryMs?: number;
  /** Grouping of children's alerts at their parent; false turns it off. Default {@link DEFAULT_GROUPING}. */
  grouping?: Partial<GroupingOptions> | false;
  logger: Logger;
  metrics: ServerMetrics;
  onEvent: (event: AlertEvent, alert: Alert) => void;
  onStatus: (statuses: NodeStatus[]) => void;
  /** Sends a planner's directive down to the devices of a node. */
  onDirective?: (node: string, alert: Alert, actor: Actor, note: string) => void;
  /** Outgoing notifications (webhooks); told of every event, picks what it sends. */
  notifier?: AlertNotifier;
  /** Out-of-service windows: nothing is raised inside one; open alerts inside one are marked. */
  maintenance?: Pick<MaintenanceWindows, 'covering'>;
  /** Failed saves logged, counted and shown on /healthz (shared with the other state users); default: its own. */
  writes?: StateWrites;
  /**
   * Federation: the server this one's top hands alerts up to (issue 19 point 2): an alert whose window runs out at
   * the top is handed up to it (the trail says so), not left at the root.
   */
  parentServer?: string;
}

const MAX_LIST = 1000;

/**
 * Algedonic alerts: raised where the anomaly is seen and owned by that node, escalated one level
 * up whenever the owner's correction window runs out, grouped at a parent when several of its
 * children alert together, persisted on every change. The transitions themselves live in
 * alert-lifecycle.ts.
 */
export class AlertService {
  /** Open alerts by id, the open alert of each (node, indicator), and the open group of each parent. */
  private readonly open = new Map<string, Alert>();
  private readonly openByKey = new Map<string, string>();
  private readonly openGroupByNode = new Map<string, string>();
  private readonly lastUpdate = new Map<string, number>();
  private readonly grouping: GroupingOptions | null;
  /** Chattering: the recent raise times of each (node, indicator), and its latest alert. */
  private readonly raiseTimes = new Map<string, number[]>();
  private readonly latestByKey = new Map<string, { id: string; at: number }>();
  private readonly writes: StateWrites;
  /** Raises (detections, dropouts) whose save failed, by node and indicator: tried again by checkDeadlines(). */
  private readonly pendingRaises = new Map<string, () => void>();
  private readonly latencyClock: () => number;

  constructor(private readonly opts: AlertServiceOptions) {
    this.grouping = opts.grouping === false ? null : { ...DEFAULT_GROUPING, ...(opts.grouping ?? {}) };
    this.latencyClock = opts.latencyClock ?? (() => performance.now());
    this.writes =
      opts.writes ?? new StateWrites({ now: opts.now, logger: opts.logger, failures: opts.metrics.stateSaveFailures });
    for (const a of opts.repo.loadOpen()) this.track(a);
    this.seedChattering();
    opts.metrics.alertsOpen.collect(() => opts.metrics.alertsOpen.set(this.open.size));
  }

  /**
   * The model file was edited: windows, parents and webhooks come from the new one from now on.
   * Open alerts stay as they are; one owned by a node the new model lacks moves to the root when
   * its window runs out.
   */
  replaceModel(model: Model): void {
    this.opts.model = model;
  }

  /**
   * Called for every detector output; raises an alert, or updates the open one of that node and
   * indicator, exactly where the detector's output says `alert` (the decision is the detector's:
   * `opsroom detect` writes the same column). The alert shows the reading that carries the
   * evidence and the band it broke (`output.evidence`), in plain words (`summary`).
   */
  onDetection(d: Detection): void {
    const out = d.output;
    if (!out.alert || out.kind === 'none') return;
    const detected = this.latencyClock();
    const now = this.opts.now();
    const ev = out.evidence;
    const value = ev?.value ?? d.value;
    const forecast = ev?.forecast ?? out.forecast ?? undefined;
    const sigmas = ev?.sigmas ?? out.sigmas;
    const openId = this.openByKey.get(key(d.node, d.indicator));
    if (openId) {
      // One alert per ongoing anomaly: the latest evidence updates it. Evidence from another series
      // of the same indicator (actuality vs one of Beer's indices) is the same trouble seen twice:
      // the open alert already covers it, and its value stays in its own series' unit.
      const live = this.open.get(openId)!;
      if ((d.series ?? 'actuality') !== (live.series ?? 'actuality')) return;
      // A detector opens every change as `change` (a flatline as `flatline`) and later rows carry its
      // kind: an opening row here is a new change on a series whose alert is still open. The alert
      // fires again (trail, count, an event at once) rather than the second fault going unseen.
      const onset = out.kind === 'change' || out.kind === 'flatline';
      // The detector's view sharpens with more readings (a first outlier looks transient; a few more at the new level
      // make it a step).
      const kindChanged = live.kind !== out.kind;
      const due = now - (this.lastUpdate.get(live.id) ?? 0) >= (this.opts.updateEveryMs ?? 5000);
      const evidence = (a: Alert) => {
        a.value = value;
        a.score = Math.max(a.score, out.score);
        a.kind = out.kind as ChangeKind;
        a.probability = out.probability;
        if (forecast) a.forecast = forecast;
        if (sigmas !== undefined) a.sigmas = sigmas;
        a.summary = describeAlert(a, this.words(a.indicator));
      };
      if (!onset && !kindChanged && !due) {
        // Between two announced updates the newest evidence (value, score, forecast) is shown
        // without a save or an event; the next announced update saves it. Nothing nested changes
        // here, so a shallow copy carries it (a deep one of an alert with a long trail cost more
        // than the rest of the detection); a change of priority goes the full way below.
        const quiet = { ...live };
        evidence(quiet);
        if (!this.priorityChanges(quiet)) {
          quiet.updatedAt = now;
          this.track(quiet);
          return;
        }
      }
      const cs = new AlertChangeSet();
      const a = cs.edit(live);
      if (onset)
        noteRefire(a, {
          at: now,
          actor: 'system',
          note: refireNote(out.kind, value, sigmas, out.probability),
          says: says('refired', {
            flatline: out.kind === 'flatline' ? 1 : 0,
            value: +value.toPrecision(4),
            sigmas: sigmas === undefined ? undefined : +sigmas.toFixed(1),
            pct: Math.round(out.probability * 100),
          }),
        });
      else if (kindChanged)
        noteEvidence(a, {
          at: now,
          actor: 'system',
          note: `reclassified: now a ${out.kind} change (${Math.round(out.probability * 100)} % sure), was ${a.kind}`,
          says: says('reclassified', { kind: out.kind, pct: Math.round(out.probability * 100), wasKind: a.kind }),
        });
      evidence(a);
      const priorityChanged = this.reprioritise(a, now);
      a.updatedAt = now;
      if (onset || kindChanged || priorityChanged || due) {
        cs.mark(a, 'updated');
        cs.onSaved(() => this.lastUpdate.set(a.id, now));
        if (this.commitOrRetry(cs, 'update', key(d.node, d.indicator), () => this.onDetection(d)))
          this.timeDetection(detected);
      } else this.track(a);
      return;
    }
    const node = this.opts.model.nodes.get(d.node);
    if (!node || this.inMaintenance(d.node, d.indicator, now)) return;
    const alert = raiseAlert(
      {
        id: randomUUID(),
        node: d.node,
        indicator: d.indicator,
        kind: out.kind as ChangeKind,
        probability: out.probability,
        score: out.score,
        value,
        ...(d.series ? { series: d.series } : {}),
        ...(forecast ? { forecast } : {}),
        ...(sigmas !== undefined ? { sigmas } : {}),
        since: d.ts,
        raisedAt: now,
      },
      node.correctionWindowSec * 1000,
      `${out.kind} change in ${d.indicator}${d.series ? ` ${d.series}` : ''} ` +
        `(${Math.round(out.probability * 100)} % sure)`,
      says('raised', {
        kind: out.kind,
        indicator: d.indicator,
        series: d.series,
        pct: Math.round(out.probability * 100),
      }),
    );
    alert.summary = describeAlert(alert, this.words(alert.indicator));
    alert.priority = alertPriority(basePriority(this.opts.model, alert.node, alert.indicator), alert);
    const cs = new AlertChangeSet();
    if (!this.heldAsChattering(cs, alert, now, node.correctionWindowSec * 1000)) {
      cs.add(alert, 'raised');
      cs.onSaved(() => {
        this.opts.metrics.alertsRaised.inc({ kind: alert.kind });
        const { id, node: at, indicator, kind, priority } = alert;
        this.opts.logger.info({ alert: id, node: at, indicator, kind, priority }, 'alert raised');
      });
      this.groupAtParent(cs, alert, now);
    }
    if (this.commitOrRetry(cs, 'raise', key(d.node, d.indicator), () => this.onDetection(d)))
      this.timeDetection(detected);
  }

  /** A detection became a saved and published alert change: how long since the detector's output. */
  private timeDetection(detected: number): void {
    this.opts.metrics.detectionToAlert.observe((this.latencyClock() - detected) / 1000);
  }

  /**
   * Ends every expired shelf (its window resumes), then escalates every overdue alert one level up,
   * then sends the reminders due (run on a timer, at start-up, and before every action). Raises
   * whose save failed are tried again first. A failed save is logged, counted and shown on
   * /healthz (StateWrites), nothing changes, and the next run tries again: this never throws.
   */
  checkDeadlines(): void {
    for (const [k, retry] of [...this.pendingRaises]) {
      this.pendingRaises.delete(k);
      retry(); // puts itself back when its save fails again
    }
    try {
      this.settle();
    } catch (err) {
      if (!isStateUnavailable(err)) throw err;
    }
    try {
      this.remind(this.opts.now());
    } catch (err) {
      if (!isStateUnavailable(err)) throw err;
    }
  }

  /**
   * Shelf expiries, escalations and maintenance marks due now, saved in one transaction; throws
   * OPS_ERR_STATE_UNAVAILABLE when the save fails.
   */
  private settle(): void {
    const now = this.opts.now();
    const cs = new AlertChangeSet();
    for (const live of this.open.values()) {
      if (!shelfExpired(live, now)) continue;
      // Expired while the server was down: it ends at start-up, and the window resumes from then.
      const a = cs.edit(live);
      unshelveAlert(a, {
        at: now,
        actor: 'system',
        note: `shelf expired (set by ${a.shelved!.by} until ${new Date(a.shelved!.until).toISOString()})`,
        says: says('shelfExpired', { by: a.shelved!.by, until: a.shelved!.until }),
      });
      cs.onSaved(() => this.opts.logger.info({ alert: a.id }, 'alert unshelved: its shelf expired'));
      cs.mark(a, 'updated');
    }
    for (const live of this.open.values()) {
      if (!isOverdue(cs.view(live), now)) continue;
      const a = cs.edit(live);
      const owner = this.opts.model.nodes.get(a.owner);
      // An owner the (reloaded) model no longer has hands the alert straight to the root.
      const parent = owner
        ? owner.parent
          ? this.opts.model.nodes.get(owner.parent)
          : undefined
        : this.opts.model.nodes.get(this.opts.model.root);
      const group = a.groupedBy ? this.open.get(a.groupedBy) : undefined;
      const carried = group && parent && group.node === parent.path ? group.id : undefined;
      const from = a.owner;
      escalateAlert(
        a,
        now,
        parent && { path: parent.path, windowMs: parent.correctionWindowSec * 1000 },
        carried,
        this.opts.parentServer,
      );
      cs.onSaved(() => {
        if (parent) {
          this.opts.metrics.alertsEscalated.inc();
          this.opts.logger.info({ alert: a.id, to: parent.path }, 'alert escalated');
        } else if (this.opts.parentServer !== undefined) {
          this.opts.metrics.alertsEscalated.inc();
          this.opts.logger.info({ alert: a.id, to: this.opts.parentServer }, 'alert handed up to the parent server');
        } else {
          this.opts.logger.warn(
            { alert: a.id, node: from },
            'alert unresolved at the root: its correction window ran out',
          );
        }
      });
      cs.mark(a, 'escalated');
    }
    this.markMaintenance(cs, now);
    if (cs.size) this.commit(cs, 'deadlines');
  }

  /**
   * Reminders (docs/alerts.md "Reminders"): an alert still unacknowledged (raised or escalated, not
   * shelved, not under maintenance) is posted again to its owner's webhook every `remind_every`
   * of the owner's `notify:` (default {@link DEFAULT_REMIND_EVERY_SEC}; 0 none), counted from when
   * the owner got it or the last reminder. Saved (so a restart neither repeats nor forgets one),
   * not announced to the room.
   */
  private remind(now: number): void {
    if (!this.opts.notifier) return;
    const cs = new AlertChangeSet();
    for (const a of this.open.values()) {
      const live = a;
      if ((a.state !== 'raised' && a.state !== 'escalated') || a.shelved || a.maintenance) continue;
      const notify = this.opts.model.nodes.get(a.owner)?.notify;
      const everyMs = (notify?.remindEverySec ?? DEFAULT_REMIND_EVERY_SEC) * 1000;
      if (!notify || everyMs <= 0) continue;
      const ownedSince =
        a.trail.findLast((t) => (t.action === 'raised' || t.action === 'escalated') && t.toNode === a.owner)?.at ??
        a.raisedAt;
      if (now - Math.max(ownedSince, a.reminders?.lastAt ?? 0) < everyMs) continue;
      const d = cs.edit(live);
      d.reminders = { count: (a.reminders?.count ?? 0) + 1, lastAt: now };
      cs.mark(d, 'updated');
    }
    if (!cs.size) return;
    const reminded = this.persist(cs, 'reminders').map(([a]) => a);
    for (const a of reminded.sort(byPriorityThenDeadline)) this.notify('reminder', structuredClone(a));
  }

  /**
   * Sets who is working on the alert (`user` undefined: nobody): a user of the model whose scope
   * covers the owner; the caller must hold the owner's level or above (as for acknowledge).
   */
  assign(id: string, actor: Actor, user: string | undefined, note?: string): Alert {
    const cs = new AlertChangeSet();
    const a = cs.edit(this.actionable(id, actor, 'assign'));
    if (user !== undefined) {
      const u = this.opts.model.users.get(user);
      // One answer for an unknown user and one outside the owner: user names outside scope stay unconfirmed.
      if (!u || !inScope(u.scope, a.owner))
        throw new OpsError('OPS_ERR_BAD_REQUEST', `no user "${user}" whose scope covers ${a.owner}, the alert's owner`);
      if (a.assignee === user) return structuredClone(a);
    } else if (a.assignee === undefined) return structuredClone(a);
    assignAlert(a, { at: this.opts.now(), actor: actor.name, note }, user);
    cs.mark(a, 'updated');
    this.commit(cs, 'assign');
    return structuredClone(a);
  }

  /**
   * Marks the open alerts a maintenance window covers now (`maintenance`, a trail note) and unmarks
   * those whose window ended. Run with the deadlines, and at once after a window is set or ended.
   */
  private markMaintenance(cs: AlertChangeSet, now: number): void {
    if (!this.opts.maintenance) return;
    for (const live of this.open.values()) {
      const seen = cs.view(live);
      const w = this.opts.maintenance.covering(seen.node, seen.indicator, now);
      const until = w ? effectiveEnd(w) : undefined;
      if (w?.id === seen.maintenance?.window && until === seen.maintenance?.until) continue;
      const a = cs.edit(live);
      if (w && until !== undefined) {
        noteEvidence(a, {
          at: now,
          actor: 'system',
          note: `under maintenance window ${w.id} on ${w.node} until ${new Date(until).toISOString()}: ${w.reason}`,
          says: says('maintenance', { window: w.id, node: w.node, until, reason: w.reason }),
        });
        a.maintenance = { window: w.id, until, reason: w.reason };
      } else {
        noteEvidence(a, {
          at: now,
          actor: 'system',
          note: `maintenance window ${a.maintenance!.window} ended`,
          says: says('maintenanceEnded', { window: a.maintenance!.window }),
        });
        delete a.maintenance;
      }
      cs.mark(a, 'updated');
    }
  }

  /**
   * True when a maintenance window covers (node, indicator) now: nothing is raised there (the detector keeps learning).
   */
  private inMaintenance(node: string, indicator: string, now: number): boolean {
    const w = this.opts.maintenance?.covering(node, indicator, now);
    if (!w) return false;
    this.opts.logger.debug({ node, indicator, window: w.id }, 'alert not raised: maintenance window');
    return true;
  }

  acknowledge(id: string, actor: Actor, note?: string): Alert {
    const cs = new AlertChangeSet();
    const a = cs.edit(this.actionable(id, actor, 'acknowledge'));
    const window = (this.opts.model.nodes.get(a.owner)?.correctionWindowSec ?? DEFAULT_CORRECTION_WINDOW_SEC) * 1000;
    acknowledgeAlert(a, { at: this.opts.now(), actor: actor.name, note }, window);
    cs.mark(a, 'updated');
    this.commit(cs, 'acknowledge');
    return structuredClone(a);
  }

  /**
   * Resolves the alert at every level it passed through. Resolving a group resolves its open
   * children too; resolving the last open child of a group resolves the group.
   */
  resolve(id: string, actor: Actor, note?: string): Alert {
    const cs = new AlertChangeSet();
    const a = cs.edit(this.actionable(id, actor, 'resolve'));
    const now = this.opts.now();
    resolveAlert(a, { at: now, actor: actor.name, note });
    cs.mark(a, 'resolved');
    if (a.kind === 'group') {
      for (const childId of a.groups ?? []) {
        const live = this.open.get(childId);
        if (!live) continue;
        const child = cs.edit(live);
        resolveAlert(child, {
          at: now,
          actor: actor.name,
          note: `resolved with group ${a.id}${note ? `: ${note}` : ''}`,
          says: says('resolvedWithGroup', { group: a.id, note }),
        });
        cs.mark(child, 'resolved');
      }
    }
    const live = a.groupedBy ? this.open.get(a.groupedBy) : undefined;
    if (live && (live.groups ?? []).every((c) => c === a.id || !this.open.has(c))) {
      const group = cs.edit(live);
      resolveAlert(group, {
        at: now,
        actor: 'system',
        note: `every grouped alert is resolved (the last by ${actor.name})`,
        says: says('groupResolved', { by: actor.name }),
      });
      cs.mark(group, 'resolved');
    }
    this.commit(cs, 'resolve');
    return structuredClone(a);
  }

  /**
   * Federation (issue 19 point 2): child server `from` says how an alert it handed up stands now (`handed`: the alert
   * as the child saved it; `boundary`: the child's top, a leaf of this server's model). New here: a mirror opens,
   * escalated to the boundary's parent with that node's whole correction window from now (this server's clock: a
   * skewed child clock never shortens it). Known here and resolved there: resolved here too (resolved wins). Returns
   * what it did, for the log and tests. Throws OPS_ERR_STATE_UNAVAILABLE when the save fails (the message is then
   * not acknowledged, and comes again).
   */
  receiveHandoff(
    from: string,
    handed: Alert,
    boundary: string,
    syncedUpTo = 0,
  ): 'opened' | 'resolved' | 'updated' | 'unchanged' {
    const now = this.opts.now();
    const actor = `server:${from}`;
    const known = this.open.get(handed.id) ?? this.opts.repo.get(handed.id);
    const cs = new AlertChangeSet();
    if (known) {
      if (known.state === 'resolved') return 'unchanged';
      const a = cs.edit(known);
      // What happened there since the last message (a directive received by a device, a comment, an acknowledgement)
      // shows in this trail as said on that server; what came from another server is not repeated.
      let added = 0;
      for (const t of handed.trail) {
        if (t.at <= syncedUpTo || t.actor.startsWith('server:') || t.action === 'resolved') continue;
        commentAlert(a, {
          at: now,
          actor: t.actor,
          note: `on server ${from}: ${t.note ?? t.action}`,
          ...(t.says ? { says: t.says } : {}),
        });
        added++;
      }
      if (handed.state === 'resolved') {
        const by = handed.trail.findLast((t) => t.action === 'resolved')?.actor ?? 'someone';
        resolveAlert(a, { at: now, actor, note: `resolved on server ${from} by ${by}` });
        cs.mark(a, 'resolved');
        this.commit(cs, 'federation resolve');
        this.opts.logger.info({ alert: a.id, from }, 'handed-off alert resolved by its child server');
        return 'resolved';
      }
      if (added === 0) return 'unchanged';
      cs.mark(a, 'updated');
      this.commit(cs, 'federation update');
      return 'updated';
    }
    if (handed.state === 'resolved') return 'unchanged';
    const parentPath = this.opts.model.nodes.get(boundary)?.parent;
    const parent = parentPath === undefined ? undefined : this.opts.model.nodes.get(parentPath);
    if (!parent) throw new OpsError('OPS_ERR_BAD_REQUEST', `no node above ${boundary} on this server`);
    const a: Alert = structuredClone(handed);
    delete a.groupedBy;
    delete a.groups;
    delete a.shelved;
    a.owner = boundary;
    if (!a.path.includes(boundary)) a.path.push(boundary);
    escalateAlert(a, now, { path: parent.path, windowMs: parent.correctionWindowSec * 1000 });
    const entry = a.trail.at(-1)!;
    entry.actor = actor;
    entry.note = `correction window of ${boundary} ran out on server ${from}`;
    cs.add(a, 'escalated');
    this.commit(cs, 'federation hand-off');
    this.opts.metrics.alertsEscalated.inc();
    this.opts.logger.info({ alert: a.id, from, to: parent.path }, 'alert escalated from a child server');
    return 'opened';
  }

  /**
   * Federation: a person on the parent server `from` sent a directive about an alert this server handed up: it goes
   * to the devices of the alert's node as if sent here (signed by that person), and the trail says where it came from.
   * Returns false when the alert is not open here.
   */
  directiveFromServer(id: string, from: string, by: string, note: string): boolean {
    const live = this.open.get(id);
    if (!live) return false;
    const cs = new AlertChangeSet();
    const a = cs.edit(live);
    directiveAlert(a, { at: this.opts.now(), actor: `server:${from}`, note: `${by}: ${note}` });
    cs.mark(a, 'updated');
    this.commit(cs, 'federation directive');
    this.opts.onDirective?.(a.node, a, { name: by, role: 'planner', scope: a.owner }, note);
    return true;
  }

  /**
   * Federation: the parent server `from` resolved an alert this server handed up (resolved wins from any level).
   * Returns false when it is not open here (already resolved, or unknown).
   */
  resolveFromServer(id: string, from: string, by: string, note?: string): boolean {
    const live = this.open.get(id);
    if (!live) return false;
    const cs = new AlertChangeSet();
    const a = cs.edit(live);
    resolveAlert(a, {
      at: this.opts.now(),
      actor: `server:${from}`,
      note: `resolved on server ${from} by ${by}${note ? `: ${note}` : ''}`,
    });
    cs.mark(a, 'resolved');
    this.commit(cs, 'federation resolve');
    this.opts.logger.info({ alert: id, from, by }, 'alert resolved by the parent server');
    return true;
  }

  /**
   * Shelves an open alert for `minutes` (at most the owner level's `max_shelve`, default 8 h): it
   * leaves the active list and its correction window pauses until the shelf ends.
   */
  shelve(id: string, actor: Actor, minutes: number, note?: string): Alert {
    if (!(Number.isFinite(minutes) && minutes > 0))
      throw new OpsError('OPS_ERR_BAD_REQUEST', 'minutes must be a number above 0');
    const cs = new AlertChangeSet();
    const a = cs.edit(this.actionable(id, actor, 'shelve'));
    const maxSec = this.opts.model.nodes.get(a.owner)?.maxShelveSec ?? DEFAULT_MAX_SHELVE_SEC;
    if (minutes * 60 > maxSec) {
      throw new OpsError(
        'OPS_ERR_BAD_REQUEST',
        `an alert owned by ${a.owner} may be shelved for at most ` +
          `${+(maxSec / 60).toFixed(2)} minutes (max_shelve of its level); asked ` +
          `for ${minutes}`,
      );
    }
    const now = this.opts.now();
    shelveAlert(a, { at: now, actor: actor.name, note }, now + Math.round(minutes * 60_000));
    cs.mark(a, 'updated');
    this.commit(cs, 'shelve');
    return structuredClone(a);
  }

  /** Ends a shelf before its time: back on the active list, its window resumes. */
  unshelve(id: string, actor: Actor, note?: string): Alert {
    const cs = new AlertChangeSet();
    const a = cs.edit(this.actionable(id, actor, 'unshelve'));
    unshelveAlert(a, { at: this.opts.now(), actor: actor.name, note });
    cs.mark(a, 'updated');
    this.commit(cs, 'unshelve');
    return structuredClone(a);
  }

  comment(id: string, actor: Actor, note: string): Alert {
    const cs = new AlertChangeSet();
    const a = cs.edit(this.actionable(id, actor, 'comment'));
    commentAlert(a, { at: this.opts.now(), actor: actor.name, note });
    cs.mark(a, 'updated');
    this.commit(cs, 'comment');
    return structuredClone(a);
  }

  /**
   * A device bound to the alert's origin node acknowledged a directive (its agent published a
   * `directive-ack`): recorded in the trail as said by `device:<id>`, once per directive sent to
   * its node (directive-ledger.ts). Anything else is ignored.
   */
  recordDirectiveAck(alertId: string, deviceId: string, deviceNode: string): boolean {
    const found = this.open.get(alertId) ?? this.opts.repo.get(alertId);
    if (!found || found.node !== deviceNode || !directiveAwaitingAck(found, deviceId)) return false;
    const cs = new AlertChangeSet();
    const a = cs.edit(found);
    commentAlert(a, {
      at: this.opts.now(),
      actor: `device:${deviceId}`,
      note: 'directive received',
      says: says('directiveReceived'),
    });
    cs.mark(a, 'updated');
    try {
      this.commit(cs, 'directive-ack');
    } catch (err) {
      if (isStateUnavailable(err)) return false; // logged and counted; not recorded
      throw err;
    }
    return true;
  }

  /** A decision sent back down to the node where the anomaly was seen. */
  directive(id: string, actor: Actor, note: string): Alert {
    const cs = new AlertChangeSet();
    const a = cs.edit(this.actionable(id, actor, 'directive'));
    directiveAlert(a, { at: this.opts.now(), actor: actor.name, note });
    cs.mark(a, 'updated');
    this.commit(cs, 'directive');
    this.opts.onDirective?.(a.node, a, actor, note);
    return structuredClone(a);
  }

  /** One alert if the actor may see it (any node of its path in scope), else 404. */
  get(id: string, actor: Actor): Alert {
    const a = this.open.get(id) ?? this.opts.repo.get(id);
    if (!a || !visibleTo(a, actor)) throw new OpsError('OPS_ERR_NOT_FOUND', `alert ${id}`);
    return structuredClone(a);
  }

  /** Alerts the actor may see, newest first, filtered. */
  list(actor: Actor, filter: AlertFilter = {}): Alert[] {
    const limit = Math.min(Math.max(1, filter.limit ?? MAX_LIST), MAX_LIST);
    const all =
      filter.state === 'open'
        ? [...this.open.values()]
            .filter((a) => a.raisedAt >= (filter.since ?? 0) && a.raisedAt <= (filter.until ?? Number.MAX_SAFE_INTEGER))
            .sort((a, b) => b.raisedAt - a.raisedAt)
        : this.opts.repo
            .list({ since: filter.since, until: filter.until, limit: 10 * MAX_LIST })
            .map((a) => this.open.get(a.id) ?? a);
    const out: Alert[] = [];
    const words = this.alertWords();
    for (const a of all) if (visibleTo(a, actor) && alertMatches(a, filter, words)) out.push(a);
    if ((filter.order ?? 'priority') === 'priority') out.sort(byPriorityThenDeadline);
    return out.slice(0, limit).map((a) => structuredClone(a));
  }

  /**
   * Every alert the actor may see that was raised within [since, until] (the newest 10,000), and
   * every open one whenever raised: what counts and alarm health are computed from.
   * The alerts are the service's own: read them, never change them.
   */
  scan(actor: Actor, since?: number, until?: number): readonly Alert[] {
    const byId = new Map<string, Alert>();
    for (const a of this.opts.repo.list({ since, until, limit: 10 * MAX_LIST })) {
      byId.set(a.id, this.open.get(a.id) ?? a);
    }
    for (const a of this.open.values()) byId.set(a.id, a);
    return [...byId.values()].filter((a) => visibleTo(a, actor));
  }

  /** Node, indicator and user names for free-text search. */
  alertWords(): AlertWords {
    const m = this.opts.model;
    return {
      node: (p) => m.nodes.get(p)?.name,
      indicator: (id) => m.indicators.find((i) => i.id === id)?.name,
      user: (name) => m.users.get(name)?.displayName,
    };
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
        // A grouped alert its group carries further is shown by the group, not counted twice.
        if (a.groupedBy && a.deadline === null && this.open.has(a.groupedBy)) continue;
        // A shelved alert is off the active list: it does not colour its node until the shelf ends.
        if (a.shelved) continue;
        openAlerts++;
        if (a.deadline !== null && (next === null || a.deadline < next)) next = a.deadline;
        if (a.state === 'escalated' && (a.deadline === null || a.deadline <= now || a.node !== node)) crisis = true;
      }
      out.push({
        node,
        state: openAlerts === 0 ? 'normal' : crisis ? 'crisis' : 'alert',
        openAlerts,
        nextDeadline: next,
      });
    }
    return out;
  }

  /**
   * After `alert` was raised at a child of P: join P's open group, or raise one when enough of P's
   * children alerted within the span. Returns the alerts it changed. Recursive: a group raised at P
   * is itself an alert of a child of P's parent.
   */
  private groupAtParent(cs: AlertChangeSet, alert: Alert, now: number): void {
    if (!this.grouping) return;
    const parentPath = this.opts.model.nodes.get(alert.node)?.parent;
    const parent = parentPath ? this.opts.model.nodes.get(parentPath) : undefined;
    if (!parent || this.inMaintenance(parent.path, alert.indicator, now)) return;
    const openGroup = this.openGroupByNode.get(parent.path);
    if (openGroup) {
      const group = cs.edit(this.open.get(openGroup)!);
      joinGroup(alert, group, now);
      if (priorityRank(alert.priority) > priorityRank(group.priority)) {
        noteEvidence(group, {
          at: now,
          actor: 'system',
          note: `priority ${group.priority ?? 'medium'} -> ${alert.priority} (${alert.id} from ${alert.node})`,
          says: says('groupPriority', {
            from: group.priority ?? 'medium',
            to: alert.priority,
            alert: alert.id,
            node: alert.node,
          }),
        });
        group.priority = alert.priority;
      }
      cs.mark(alert, 'updated');
      cs.mark(group, 'updated');
      return;
    }
    const { spanMs, minChildren, minShare } = this.grouping;
    const members = this.openAsSeenBy(cs).filter(
      (a) =>
        a.groupedBy === undefined &&
        a.raisedAt >= now - spanMs &&
        this.opts.model.nodes.get(a.node)?.parent === parent.path,
    );
    const children = new Set(members.map((a) => a.node));
    if (children.size < 2 || (children.size < minChildren && children.size < minShare * parent.children.length)) return;
    members.sort((a, b) => a.raisedAt - b.raisedAt);
    const indicators = new Set(members.map((a) => a.indicator));
    const best = members.reduce((x, y) => (y.score > x.score ? y : x));
    const group = raiseAlert(
      {
        id: randomUUID(),
        node: parent.path,
        indicator: indicators.size === 1 ? members[0]!.indicator : '*',
        kind: 'group',
        probability: best.probability,
        score: best.score,
        value: children.size,
        raisedAt: now,
        groups: [],
      },
      parent.correctionWindowSec * 1000,
      `${children.size} of ${parent.children.length} children of ` +
        `${parent.path} alerted within ${Math.round(spanMs / 1000)} s: ${[...children].join(', ')}`,
      says('groupRaised', {
        count: children.size,
        of: parent.children.length,
        node: parent.path,
        seconds: Math.round(spanMs / 1000),
        nodes: [...children].join(', '),
      }),
    );
    // A flood shows its first cause first (EEMUA 191): the child that alerted earliest.
    const first = members[0]!;
    group.firstChild = { alert: first.id, node: first.node, at: first.raisedAt };
    group.summary =
      `${describeAlert(group, { name: parent.path }).replace(/\.$/, '')}; ` +
      `first: ${first.node} (${first.indicator}) at ${new Date(first.raisedAt).toISOString()}.`;
    group.priority = highestPriority(members.map((m) => m.priority));
    cs.add(group, 'raised');
    cs.onSaved(() => {
      this.opts.metrics.alertsRaised.inc({ kind: 'group' });
      this.opts.logger.info({ alert: group.id, node: group.node, children: [...children] }, 'grouping alert raised');
    });
    for (const seen of members) {
      const m = cs.edit(seen);
      joinGroup(m, group, now);
      cs.mark(m, 'updated');
    }
    this.groupAtParent(cs, group, now);
  }

  /** The open alerts as a change set sees them: its copies in place of the saved ones, its new ones added. */
  private openAsSeenBy(cs: AlertChangeSet): Alert[] {
    const out = new Map<string, Alert>();
    for (const a of this.open.values()) out.set(a.id, cs.view(a));
    for (const a of cs.openDrafts()) out.set(a.id, a);
    return [...out.values()].filter((a) => a.state !== 'resolved');
  }

  /**
   * Chattering (ISA-18.2; docs/alerts.md "Chattering"): an alert that clears and re-raises more than
   * the rule's `reraises` times within `minutes` at one node and indicator is held as one alert.
   * Called with a fresh alert about to be raised; when the key is chattering, the latest alert of
   * the key opens again instead (marked `chattering`, its evidence the fresh one's), is saved and
   * announced as updated (not raised: a webhook is not told again), and true is returned. Either
   * way the bookkeeping changes only once `cs` is saved.
   */
  private heldAsChattering(cs: AlertChangeSet, fresh: Alert, now: number, windowMs: number): boolean {
    const k = key(fresh.node, fresh.indicator);
    const rule = this.opts.model.chattering ?? DEFAULT_CHATTERING;
    const times = (this.raiseTimes.get(k) ?? []).filter((t) => t > now - rule.minutes * 60_000);
    times.push(now);
    cs.onSaved(() => this.raiseTimes.set(k, times));
    const latest = this.latestByKey.get(k);
    const saved =
      latest && times.length - 1 > rule.reraises
        ? (this.open.get(latest.id) ?? this.opts.repo.get(latest.id))
        : undefined;
    if (!saved || saved.state !== 'resolved') {
      cs.onSaved(() => this.latestByKey.set(k, { id: fresh.id, at: now }));
      return false;
    }
    const last = cs.edit(saved);
    reopenAlert(
      last,
      now,
      windowMs,
      `re-raised while chattering: ${times.length} raises within ` +
        `${rule.minutes} min (more than ${rule.reraises} re-raises); held as ` +
        `this one alert`,
      says('reopened', { count: times.length, minutes: rule.minutes, reraises: rule.reraises }),
    );
    last.chattering = { raises: times.length, firstAt: times[0]!, lastAt: now };
    for (const f of ['kind', 'probability', 'score', 'value', 'since', 'priority'] as const)
      (last as unknown as Record<string, unknown>)[f] = fresh[f];
    for (const f of ['series', 'forecast', 'sigmas'] as const) {
      if (fresh[f] === undefined) delete last[f];
      else (last as unknown as Record<string, unknown>)[f] = fresh[f];
    }
    last.summary =
      `${(fresh.summary ?? '').replace(/\.$/, '')} — chattering: raised ` +
      `${times.length} times within ${rule.minutes} min.`;
    last.updatedAt = now;
    if (last.groupedBy && !this.open.has(last.groupedBy)) delete last.groupedBy;
    cs.mark(last, 'updated');
    cs.onSaved(() => {
      this.latestByKey.set(k, { id: last.id, at: now });
      const { id, node, indicator } = last;
      this.opts.logger.info(
        { alert: id, node, indicator, raises: times.length },
        'chattering alert re-raised (held as one)',
      );
    });
    return true;
  }

  /** After a restart: the raise times and latest alert of each key, from the trails of the last day's alerts. */
  private seedChattering(): void {
    const since =
      this.opts.now() - Math.max(24 * 3600_000, (this.opts.model.chattering ?? DEFAULT_CHATTERING).minutes * 60_000);
    const alerts = new Map<string, Alert>();
    for (const a of this.opts.repo.list({ since, limit: 10 * MAX_LIST })) alerts.set(a.id, a);
    for (const a of this.open.values()) alerts.set(a.id, a);
    for (const a of alerts.values()) {
      if (a.kind === 'group') continue;
      const k = key(a.node, a.indicator);
      for (const t of a.trail) {
        if (t.action !== 'raised' || t.at < since) continue;
        this.raiseTimes.set(k, [...(this.raiseTimes.get(k) ?? []), t.at]);
        if ((this.latestByKey.get(k)?.at ?? -Infinity) <= t.at) this.latestByKey.set(k, { id: a.id, at: t.at });
      }
    }
    for (const ts of this.raiseTimes.values()) ts.sort((x, y) => x - y);
  }

  /**
   * Newer evidence may move an open alert's priority (rule in alert-priority.ts); true when it did, with a trail note.
   */
  /** Whether {@link reprioritise} would change `a`'s priority (it changes nothing). */
  private priorityChanges(a: Alert): boolean {
    return (
      a.kind !== 'group' &&
      alertPriority(basePriority(this.opts.model, a.node, a.indicator), a) !== (a.priority ?? 'medium')
    );
  }

  private reprioritise(a: Alert, now: number): boolean {
    if (!this.priorityChanges(a)) return false;
    const next = alertPriority(basePriority(this.opts.model, a.node, a.indicator), a);
    noteEvidence(a, {
      at: now,
      actor: 'system',
      note: `priority ${a.priority ?? 'medium'} -> ${next}`,
      says: says('priority', { from: a.priority ?? 'medium', to: next }),
    });
    a.priority = next;
    return true;
  }

  /** The indicator's name and unit for an alert's words. */
  private words(indicator: string): IndicatorWords {
    const def = this.opts.model.indicators.find((i) => i.id === indicator);
    return { name: def?.name ?? indicator, unit: def?.unit };
  }

  private track(a: Alert): void {
    this.open.set(a.id, a);
    if (a.kind === 'group') this.openGroupByNode.set(a.node, a.id);
    else this.openByKey.set(key(a.node, a.indicator), a.id);
  }

  private untrack(a: Alert): void {
    this.open.delete(a.id);
    this.lastUpdate.delete(a.id);
    if (a.kind === 'group') {
      if (this.openGroupByNode.get(a.node) === a.id) this.openGroupByNode.delete(a.node);
    } else if (this.openByKey.get(key(a.node, a.indicator)) === a.id) this.openByKey.delete(key(a.node, a.indicator));
  }

  private actionable(
    id: string,
    actor: Actor,
    action: 'acknowledge' | 'resolve' | 'comment' | 'directive' | 'shelve' | 'unshelve' | 'assign',
  ): Alert {
    // Settle the clock first, so an action at the window's edge meets the alert where the timer would
    // have put it (when that cannot be saved, neither is the action: 503).
    this.settle();
    const a = this.open.get(id) ?? this.opts.repo.get(id);
    if (!a) throw new OpsError('OPS_ERR_NOT_FOUND', `alert ${id}`);
    assertMay(a, actor, action);
    return a;
  }

  /**
   * Saves every alert of the change set in one transaction and only then puts the copies in place
   * (resolved ones leave the open set) and runs its onSaved steps. When the save fails nothing
   * changed: throws OPS_ERR_STATE_UNAVAILABLE (logged, counted, on /healthz by StateWrites).
   */
  private persist(cs: AlertChangeSet, operation: string): Array<[Alert, AlertEvent]> {
    const changes = cs.changes();
    this.writes.save(operation, () => this.opts.repo.saveAll(changes.map(([a]) => a)));
    for (const [a] of changes) {
      if (a.state === 'resolved') this.untrack(a);
      else this.track(a);
    }
    cs.runSaved();
    return changes;
  }

  /** persist(), then announces each alert (socket.io, webhooks), then the nodes' statuses. */
  private commit(cs: AlertChangeSet, operation: string): void {
    const changes = this.persist(cs, operation);
    const nodes = new Set<string>();
    const announced: Array<[Alert, AlertEvent]> = [];
    for (const [a, e] of changes) {
      const copy = structuredClone(a);
      this.opts.onEvent(e, copy);
      announced.push([copy, e]);
      for (const p of a.path) nodes.add(p);
    }
    // Notifications leave in the order of every list: priority, then the nearest deadline.
    announced.sort(([a], [b]) => byPriorityThenDeadline(a, b));
    for (const [copy, e] of announced) this.notify(e, copy);
    this.opts.onStatus(this.statuses(nodes));
  }

  /**
   * For raises and updates coming from detection and the silence watch (no caller to answer):
   * commits, or when the save fails keeps `retry` (one per node and indicator, the latest) for the
   * next deadline check. True when something was saved and published.
   */
  private commitOrRetry(cs: AlertChangeSet, operation: string, retryKey: string, retry: () => void): boolean {
    if (!cs.size) return false;
    try {
      this.commit(cs, operation);
      return true;
    } catch (err) {
      if (!isStateUnavailable(err)) throw err;
      this.pendingRaises.delete(retryKey);
      this.pendingRaises.set(retryKey, retry);
      if (this.pendingRaises.size > MAX_PENDING_RAISES) {
        const [oldest] = this.pendingRaises.keys();
        this.pendingRaises.delete(oldest!);
        this.opts.logger.warn(
          { pending: MAX_PENDING_RAISES },
          'state database: too many raises waiting for a save; the oldest is dropped',
        );
      }
      return false;
    }
  }

  private notify(event: NotifyEvent, alert: Alert): void {
    try {
      this.opts.notifier?.notify(event, alert);
    } catch (err) {
      this.opts.logger.error({ err, alert: alert.id }, 'alert notifier failed; the alert itself is saved');
    }
  }

  /**
   * A device series went silent (the silence watch saw no reading for far longer than its usual
   * interval): raises a `dropout` alert at its node, through the same path as a detector's alert.
   * While an alert is open for that node and indicator, that alert fires again instead (`refired`),
   * unless it is this very silence's dropout alert.
   */
  raiseSilence(node: string, indicator: string, deviceId: string, lastTs: number, silentForMs: number): void {
    const now = this.opts.now();
    const silence =
      `no ${indicator} readings from device ${deviceId} since ` +
      `${new Date(lastTs).toISOString()} (${Math.round(silentForMs / 1000)} s)`;
    const openId = this.openByKey.get(key(node, indicator));
    if (openId) {
      // The alert open there fires again: the owner sees the device went quiet too.
      const live = this.open.get(openId)!;
      if (live.kind === 'dropout' && live.since === lastTs) return; // this silence is the alert itself
      const cs = new AlertChangeSet();
      const a = cs.edit(live);
      noteRefire(a, {
        at: now,
        actor: 'system',
        note: `fired again: ${silence}`,
        says: says('refiredSilence', {
          indicator,
          device: deviceId,
          since: lastTs,
          seconds: Math.round(silentForMs / 1000),
        }),
      });
      cs.mark(a, 'updated');
      cs.onSaved(() => this.lastUpdate.set(a.id, now));
      this.commitOrRetry(cs, 'update', key(node, indicator), () =>
        this.raiseSilence(node, indicator, deviceId, lastTs, this.opts.now() - lastTs),
      );
      return;
    }
    const n = this.opts.model.nodes.get(node);
    if (!n) return;
    if (this.inMaintenance(node, indicator, now)) return;
    const alert = raiseAlert(
      {
        id: randomUUID(),
        node,
        indicator,
        kind: 'dropout',
        probability: 1,
        score: 1,
        value: silentForMs / 1000,
        since: lastTs,
        raisedAt: now,
      },
      n.correctionWindowSec * 1000,
      silence,
      says('silence', { indicator, device: deviceId, since: lastTs, seconds: Math.round(silentForMs / 1000) }),
    );
    alert.summary = `${describeAlert(alert, this.words(indicator)).replace(/\.$/, '')} (device ${deviceId}).`;
    alert.priority = basePriority(this.opts.model, node, indicator);
    const cs = new AlertChangeSet();
    if (!this.heldAsChattering(cs, alert, now, n.correctionWindowSec * 1000)) {
      cs.add(alert, 'raised');
      cs.onSaved(() => {
        this.opts.metrics.alertsRaised.inc({ kind: alert.kind });
        this.opts.logger.info({ alert: alert.id, node, indicator, kind: alert.kind, device: deviceId }, 'alert raised');
      });
      this.groupAtParent(cs, alert, now);
    }
    const retry = () => this.raiseSilence(node, indicator, deviceId, lastTs, this.opts.now() - lastTs);
    this.commitOrRetry(cs, 'raise', key(node, indicator), retry);
  }
}

/**
 * The trail note of a new change on an open alert's series.
 * @example refireNote('change', 41.2, -6.3, 0.97) // 'fired again: a new change, 41.2 (6.3 σ below the forecast, 97 %
 * sure)'
 */
export function refireNote(kind: string, value: number, sigmas: number | undefined, probability: number): string {
  const what = kind === 'flatline' ? 'the series stopped varying' : 'a new change';
  const far =
    sigmas === undefined ? '' : `${Math.abs(sigmas).toFixed(1)} σ ${sigmas < 0 ? 'below' : 'above'} the forecast, `;
  return `fired again: ${what}, ${+value.toPrecision(4)} (${far}${Math.round(probability * 100)} % sure)`;
}

function key(node: string, indicator: string): string {
  return `${node}\u0000${indicator}`;
}

function isStateUnavailable(err: unknown): boolean {
  return err instanceof OpsError && err.code === 'OPS_ERR_STATE_UNAVAILABLE';
}
