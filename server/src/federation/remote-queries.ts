import { randomUUID } from 'node:crypto';
import { inScope, type IndicatorUpdate, type Model } from '@opsroom/models';
import { ERRORS, OpsError, type ErrorCode } from '../errors.js';
import { readHistory, type HistoryAnswer, type HistoryRequest } from '../history/read-history.js';
import type { TimeSeriesStore } from '../store/store.js';
import type { LiveModel } from '../vsm/live-model.js';
import type { RemoteNodes } from '../http/services.js';

/**
 * Drill-down across servers (issue 19 point 3): a planner on the parent server asks about a node a child server owns;
 * the parent asks the child over their federation link (a `query` on the child's `down` topic, an `answer` on its
 * `up` topic: the link is already authenticated and pinned by ACL, so no other credential or port is needed). Queries
 * are not kept in the outbox: a child that is not connected gets none, and the caller is told at once.
 */
export type RemoteRoute = 'latest' | 'history';

export interface RemoteQuery {
  kind: 'query';
  qid: string;
  route: RemoteRoute;
  /** The asking user's scope: the child answers only inside it. */
  scope: string;
  node: string;
  /** `history`: the request without node (indicator, from, to, windowMs, aggregate, maxPoints). */
  history?: Omit<HistoryRequest, 'node'>;
  /**
   * How long the asker waits for the answer, ms (absent: a server before this field: its own timeout). A server that
   * passes the question on to its own child waits less ({@link childBudgetMs}), so a dead server deep in the tree is
   * named by the one above it, within the planner's wait, not taken for its parent.
   */
  budgetMs?: number;
}

export interface RemoteAnswer {
  kind: 'answer';
  qid: string;
  /** An HTTP status: 200 with `body`, else an error code and message. */
  status: number;
  body?: unknown;
  code?: string;
  /** What the error's code does not already say (which node, which indicator). */
  detail?: string;
}

/** How long the parent waits for a child's answer, ms. */
export const REMOTE_QUERY_TIMEOUT_MS = 10_000;

/**
 * The wait a server gives the child it asks when it has `budgetMs` itself: a fifth less, and at least 250 ms less, so
 * its own "did not answer" reaches its asker in time (10 s at the region: 8 s at a council, 6.4 s below it).
 * @example childBudgetMs(10_000) // 8000
 * @example childBudgetMs(1000) // 750
 */
export function childBudgetMs(budgetMs: number): number {
  return Math.max(0, Math.min(budgetMs * 0.8, budgetMs - 250));
}

export interface RemoteQueriesOptions {
  /** Publishes a query on the child's `down` topic. */
  send: (child: string, query: RemoteQuery) => void;
  connected: (child: string) => boolean;
  timeoutMs?: number;
}

/** The parent's side: questions out, answers matched back by `qid`. */
export class RemoteQueries {
  private readonly waiting = new Map<
    string,
    { child: string; resolve: (a: RemoteAnswer) => void; timer: NodeJS.Timeout }
  >();

  constructor(private readonly o: RemoteQueriesOptions) {}

  /**
   * Asks `child`; resolves with its answer. Throws OPS_ERR_SERVER_UNREACHABLE when the child is not connected or does
   * not answer in time.
   */
  ask(child: string, q: Omit<RemoteQuery, 'kind' | 'qid'>): Promise<RemoteAnswer> {
    if (!this.o.connected(child))
      return Promise.reject(
        new OpsError('OPS_ERR_SERVER_UNREACHABLE', `server "${child}", which owns ${q.node}, is not connected now`),
      );
    const qid = randomUUID();
    // As long as this server may wait, and no longer than its own asker waits (a query passed on from above).
    const own = this.o.timeoutMs ?? REMOTE_QUERY_TIMEOUT_MS;
    const waitMs = Number.isFinite(q.budgetMs) && q.budgetMs! >= 0 ? Math.min(own, q.budgetMs!) : own;
    return new Promise<RemoteAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(qid);
        reject(
          new OpsError(
            'OPS_ERR_SERVER_UNREACHABLE',
            `server "${child}", which owns ${q.node}, did not answer within ${waitMs / 1000} s`,
          ),
        );
      }, waitMs);
      this.waiting.set(qid, { child, resolve, timer });
      this.o.send(child, { kind: 'query', qid, ...q, budgetMs: childBudgetMs(waitMs) });
    });
  }

  /** An `answer` from `child` (one for a question asked of another child, or late, is dropped). */
  answered(child: string, a: RemoteAnswer): void {
    const w = this.waiting.get(a.qid);
    if (!w || w.child !== child) return;
    clearTimeout(w.timer);
    this.waiting.delete(a.qid);
    w.resolve(a);
  }

  close(): void {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
  }
}

export interface AnswerContext {
  model: () => Model;
  store: TimeSeriesStore;
  live: LiveModel;
  rollupPeriodMs: number;
}

/**
 * The child's side: answers a parent's query about its own subtree, inside the asking user's scope, as its own HTTP
 * routes would (`GET /api/latest?node=`, `GET /api/history`). A node it does not own, or outside the scope, is a 404.
 */
export async function answerQuery(q: RemoteQuery, c: AnswerContext): Promise<RemoteAnswer> {
  const base = { kind: 'answer' as const, qid: q.qid };
  try {
    const model = c.model();
    if (typeof q.node !== 'string' || !model.nodes.has(q.node) || !inScope(q.scope, q.node))
      throw new OpsError('OPS_ERR_NOT_FOUND', `node ${String(q.node)}`);
    if (q.route === 'latest') {
      const body: IndicatorUpdate[] = c.live.snapshot((p) => inScope(q.node, p));
      return { ...base, status: 200, body };
    }
    if (q.route === 'history' && q.history) {
      const indicator = q.history.indicator;
      if (!model.indicators.some((i) => i.id === indicator))
        throw new OpsError('OPS_ERR_NOT_FOUND', `indicator ${String(indicator)}`);
      const body: HistoryAnswer = await readHistory(
        c.store,
        model,
        { ...q.history, node: q.node },
        { rollupPeriodMs: c.rollupPeriodMs },
      );
      return { ...base, status: 200, body };
    }
    throw new OpsError('OPS_ERR_BAD_REQUEST', `a query this server does not answer: ${String(q.route)}`);
  } catch (err) {
    return errorAnswer(q.qid, err);
  }
}

/** An error as an answer: an OpsError keeps its status, code and detail; anything else is a 500. */
function errorAnswer(qid: string, err: unknown): RemoteAnswer {
  const base = { kind: 'answer' as const, qid };
  if (err instanceof OpsError) {
    const said = `${ERRORS[err.code].message}: `;
    const detail = err.message.startsWith(said) ? err.message.slice(said.length) : undefined;
    return { ...base, status: err.statusCode, code: err.code, ...(detail ? { detail } : {}) };
  }
  return { ...base, status: 500, code: 'OPS_ERR_BAD_REQUEST', detail: (err as Error).message };
}

/**
 * The part of the tree under `under` (inside `scope`) that servers below this one run: for each child server to ask,
 * the top node of its part (the first in the model's depth-first order), whatever depth its owner is at.
 */
export function childParts(remote: RemoteNodes, scope: string, under: string): Map<string, string> {
  const asks = new Map<string, string>();
  for (const p of remote.fullModel().nodes.keys()) {
    if (!inScope(under, p) || !inScope(scope, p)) continue;
    const via = remote.ownerOf(p);
    if (via !== undefined && !asks.has(via)) asks.set(via, p);
  }
  return asks;
}

/**
 * Live values across servers: this server's own `updates`, each child server's part (`asks`: child -> node) replaced by
 * what that child answers for it (its own view of its top is fresher than the roll-up the uplink brought, and it
 * answers for its own children the same way, at any depth). A child that cannot be asked is listed in `unreachable`;
 * its part keeps what this server has.
 */
export async function latestAcross(
  updates: IndicatorUpdate[],
  asks: ReadonlyMap<string, string>,
  scope: string,
  remote: Pick<RemoteNodes, 'ask'>,
  budgetMs?: number,
): Promise<{ updates: IndicatorUpdate[]; unreachable: string[] }> {
  const unreachable: string[] = [];
  await Promise.all(
    [...asks].map(async ([server, node]) => {
      try {
        const theirs = (await remote.ask(server, {
          route: 'latest',
          scope,
          node,
          ...(budgetMs !== undefined ? { budgetMs } : {}),
        })) as IndicatorUpdate[];
        const mine = new Set(theirs.map((u) => `${u.node}\u0000${u.indicator}`));
        for (let i = updates.length - 1; i >= 0; i--)
          if (mine.has(`${updates[i]!.node}\u0000${updates[i]!.indicator}`)) updates.splice(i, 1);
        updates.push(...theirs);
      } catch {
        unreachable.push(server);
      }
    }),
  );
  return { updates, unreachable: unreachable.sort() };
}

/**
 * A server in the middle of a deeper tree answers its parent's query for a node below its own part by asking the
 * child on the way (which may ask its own), and a `latest` over its own part together with its children's; otherwise
 * as {@link answerQuery}. Without child servers it is answerQuery.
 */
export async function answerAcross(q: RemoteQuery, c: AnswerContext, remote?: RemoteNodes): Promise<RemoteAnswer> {
  const via = remote && typeof q.node === 'string' ? remote.ownerOf(q.node) : undefined;
  if (!remote || via === undefined) {
    const a = await answerQuery(q, c);
    if (!remote || q.route !== 'latest' || a.status !== 200) return a;
    const across = await latestAcross(
      a.body as IndicatorUpdate[],
      childParts(remote, q.scope, q.node),
      q.scope,
      remote,
      q.budgetMs,
    );
    return { ...a, body: across.updates };
  }
  try {
    const { kind: _k, qid: _q, ...rest } = q;
    return { kind: 'answer', qid: q.qid, status: 200, body: await remote.ask(via, rest) };
  } catch (err) {
    return errorAnswer(q.qid, err);
  }
}

/**
 * The body of a child's answer, or the error it gave as this server's own (an unknown code, from a newer child, as a
 * bad request with its text).
 */
export function answerBody(a: RemoteAnswer): unknown {
  if (a.status === 200) return a.body;
  const code = (
    a.code && Object.prototype.hasOwnProperty.call(ERRORS, a.code) ? a.code : 'OPS_ERR_BAD_REQUEST'
  ) as ErrorCode;
  throw new OpsError(code, a.detail);
}
