import { randomUUID } from 'node:crypto';
import { inScope, type MaintenanceWindow, type Model } from '@opsroom/models';
import { OpsError } from '../errors.js';
import { didYouMeanSuffix } from '../model/did-you-mean.js';
import type { Actor } from './alert-lifecycle.js';
import { effectiveEnd, type MaintenanceRepository } from './maintenance-repository.js';
import type { StateWrites } from '../state/state-writes.js';

/** The longest one window may last: 31 days, ms. Longer is a decommissioning, not maintenance. */
export const MAX_WINDOW_MS = 31 * 24 * 3600_000;
/** At most this many windows that have not ended yet (bounded memory; 409 beyond). */
export const MAX_OPEN_WINDOWS = 1000;
/** Ended windows are kept this long for the record (listing with `ended=true`), ms. */
export const KEEP_ENDED_MS = 30 * 24 * 3600_000;

/** A window as asked for (`POST /api/maintenance`): its type is derived from the API's schema. */
import type { NewMaintenanceWindow as NewWindow } from '@opsroom/models/http';
export type { NewWindow };

/**
 * Out-of-service windows (docs/alerts.md "Maintenance windows"): kept in memory, saved on every
 * change, loaded at start-up. The alert service asks {@link covering} before raising and marks
 * open alerts a window covers.
 */
export class MaintenanceWindows {
  private readonly windows = new Map<string, MaintenanceWindow>();

  constructor(
    private readonly opts: {
      repo: MaintenanceRepository;
      now: () => number;
      model: () => Model;
      /** Failed saves answered 503, logged, counted and shown on /healthz (start.ts passes the server's). */
      writes?: StateWrites;
    },
  ) {
    for (const w of opts.repo.loadSince(opts.now() - KEEP_ENDED_MS)) this.windows.set(w.id, w);
  }

  /**
   * The window covering `node` (its own or an ancestor's) and `indicator` at `at`, the one ending last; `*` (a group of
   * several indicators) matches only whole-node windows.
   */
  covering(node: string, indicator: string, at: number): MaintenanceWindow | undefined {
    let best: MaintenanceWindow | undefined;
    for (const w of this.windows.values()) {
      if (w.start > at || effectiveEnd(w) <= at || !inScope(w.node, node)) continue;
      if (w.indicators && !w.indicators.includes(indicator)) continue;
      if (!best || effectiveEnd(w) > effectiveEnd(best)) best = w;
    }
    return best;
  }

  /**
   * Windows the actor may see: on a node in its scope, or on an ancestor of its scope (they cover
   * part of what it sees). `node` narrows to windows on that node's subtree or covering it; a node
   * the actor may not see gives an empty list, as for one that does not exist. Not yet ended
   * (cancelled counts as ended) unless `ended`; soonest start first.
   */
  list(actor: Actor, filter: { node?: string; ended?: boolean } = {}): MaintenanceWindow[] {
    const now = this.opts.now();
    const f = filter.node;
    if (f !== undefined && !inScope(actor.scope, f) && !inScope(f, actor.scope)) return [];
    return [...this.windows.values()]
      .filter((w) => inScope(actor.scope, w.node) || inScope(w.node, actor.scope))
      .filter((w) => f === undefined || inScope(f, w.node) || inScope(w.node, f))
      .filter((w) => filter.ended || effectiveEnd(w) > now)
      .sort((a, b) => a.start - b.start || a.end - b.end)
      .map((w) => structuredClone(w));
  }

  /**
   * A new window on a node in the actor's scope (404 outside it, as for a node that does not exist; 400 for a bad
   * window).
   */
  create(actor: Actor, input: NewWindow): MaintenanceWindow {
    const model = this.opts.model();
    if (!model.nodes.has(input.node) || !inScope(actor.scope, input.node))
      throw new OpsError('OPS_ERR_NOT_FOUND', `node ${input.node}`);
    assertRole(actor);
    const now = this.opts.now();
    const start = input.start ?? now;
    const { end } = input;
    if (!(end > start))
      throw new OpsError('OPS_ERR_BAD_REQUEST', `end (${iso(end)}) must be after start (${iso(start)})`);
    if (end <= now)
      throw new OpsError('OPS_ERR_BAD_REQUEST', `end (${iso(end)}) is already past; a window must end in the future`);
    if (end - start > MAX_WINDOW_MS)
      throw new OpsError(
        'OPS_ERR_BAD_REQUEST',
        `a window may last at most 31 days (asked for ` +
          `${Math.ceil((end - start) / 86_400_000)} days); make several, or ` +
          `change the model`,
      );
    const known = model.indicators.map((i) => i.id);
    for (const id of input.indicators ?? []) {
      if (!known.includes(id))
        throw new OpsError(
          'OPS_ERR_BAD_REQUEST',
          `"${id}" is not an indicator${didYouMeanSuffix(id, known)}; the model's indicators are ${known.join(', ')}`,
        );
    }
    if (!input.reason.trim()) throw new OpsError('OPS_ERR_BAD_REQUEST', 'reason is required');
    const open = [...this.windows.values()].filter((w) => effectiveEnd(w) > now).length;
    if (open >= MAX_OPEN_WINDOWS)
      throw new OpsError(
        'OPS_ERR_CONFLICT',
        `there are already ${MAX_OPEN_WINDOWS} windows that have not ended; end some first`,
      );
    const w: MaintenanceWindow = {
      id: randomUUID(),
      node: input.node,
      ...(input.indicators?.length ? { indicators: [...new Set(input.indicators)] } : {}),
      start,
      end,
      reason: input.reason,
      createdBy: actor.name,
      createdAt: now,
    };
    this.save('maintenance-create', w);
    this.windows.set(w.id, w);
    this.prune(now);
    return structuredClone(w);
  }

  /**
   * Ends a window now (one not yet started is called off). 404 when the actor cannot see it; 403
   * when it sees it (it is on an ancestor of its scope) but the window's node is not in its scope;
   * 409 when it has already ended.
   */
  cancel(actor: Actor, id: string): MaintenanceWindow {
    const w = this.windows.get(id);
    if (!w || !(inScope(actor.scope, w.node) || inScope(w.node, actor.scope)))
      throw new OpsError('OPS_ERR_NOT_FOUND', `maintenance window ${id}`);
    if (!inScope(actor.scope, w.node))
      throw new OpsError(
        'OPS_ERR_FORBIDDEN_ACTION',
        `the window is on ${w.node}; only a user whose scope covers it may end it`,
      );
    assertRole(actor);
    const now = this.opts.now();
    if (effectiveEnd(w) <= now)
      throw new OpsError('OPS_ERR_CONFLICT', `the window already ended at ${iso(effectiveEnd(w))}`);
    // Saved before it takes effect: a cancellation the disk refused leaves the window as it was.
    const cancelled: MaintenanceWindow = { ...w, cancelledAt: now, cancelledBy: actor.name };
    this.save('maintenance-cancel', cancelled);
    this.windows.set(id, cancelled);
    return structuredClone(cancelled);
  }

  private save(operation: string, w: MaintenanceWindow): void {
    if (this.opts.writes) this.opts.writes.save(operation, () => this.opts.repo.save(w));
    else this.opts.repo.save(w);
  }

  /** Forgets windows that ended long ago (they stay in the database). */
  private prune(now: number): void {
    for (const [id, w] of this.windows) if (effectiveEnd(w) < now - KEEP_ENDED_MS) this.windows.delete(id);
  }
}

function assertRole(actor: Actor): void {
  if (actor.role !== 'council' && actor.role !== 'planner' && actor.role !== 'admin')
    throw new OpsError('OPS_ERR_FORBIDDEN_ACTION', `role ${actor.role} may not set maintenance windows`);
}

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));
