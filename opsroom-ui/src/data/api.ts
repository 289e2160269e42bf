import type { Alert, AlertFacetCounts } from '@opsroom/models';
import type { IndicatorUpdate, MaintenanceWindow, ModelView } from '@opsroom/models';
import type { SessionUser } from './state.js';

/** A failed API call, with the server's `OPS_ERR_…` code when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    readonly code: string | undefined,
    /** The server's own message (English), or the room's when the call did not reach the server. */
    readonly serverMessage: string,
  ) {
    // What people read: the catalogue's sentence for a known code in the active language (error-text.ts).
    super(errorText(code, serverMessage));
  }
  /** True when signing in again is what the user should do next. */
  get unauthorized(): boolean {
    return this.status === 401;
  }
}

/** The login answer, the demo's logins and `GET /api/session`: types derived from the API's schemas (models/src/http/session.ts). */
export type { DemoLogin, LoginAnswer as LoginResult, SessionInfo } from '@opsroom/models/http';
import type { LoginAnswer as LoginResult, SessionInfo } from '@opsroom/models/http';

/** `GET /api/history`'s request and answer: types derived from the API's schemas (models/src/http/history.ts). */
import type {
  AlertListQuery as AlertFilter,
  HistoryRequest as HistoryQuery,
  HistoryResult,
} from '@opsroom/models/http';
export type { HistoryPoint, HistoryResult } from '@opsroom/models/http';
export type { HistoryQuery, AlertFilter };

/**
 * The list's filters, an order and a limit: `GET /api/alerts`'s query, derived from its schema
 * (models/src/http/requests.ts).
 */

/** The alarm-health figures of `GET /api/alarm-health`, with each child's: derived from models/src/http/alarm-health.ts. */
export type { AlarmHealthAnswer as AlarmHealthView } from '@opsroom/models/http';
import type { AlarmHealthAnswer as AlarmHealthView } from '@opsroom/models/http';
import { t } from '../i18n/i18n.js';
import { errorText } from '../i18n/error-text.js';
export type AlertAction = 'ack' | 'resolve' | 'comment' | 'directive' | 'shelve' | 'unshelve';

/** The HTTP API of the opsroom server as the ops room uses it (README.md "The contract"; the schemas in models/src/http). */
export interface OpsroomApi {
  login(username: string, password: string): Promise<LoginResult>;
  logout(): Promise<void>;
  /** The signed-in user; rejects with an {@link ApiError} whose `unauthorized` is true when nobody is. */
  me(): Promise<SessionUser>;
  /** Who is signed in, or null, without a 401 (what the page asks at load), and the demo's logins. */
  session(): Promise<SessionInfo>;
  model(): Promise<ModelView>;
  /** `node`: that node's subtree only (on a region's server, a node a council's server runs is asked of it). */
  latest(node?: string): Promise<IndicatorUpdate[]>;
  history(query: HistoryQuery): Promise<HistoryResult>;
  alerts(filter?: AlertFilter): Promise<Alert[]>;
  /** How many alerts match, per facet (`GET /api/alerts/counts`). */
  alertCounts(filter?: AlertFilter): Promise<{ total: number; facets: AlertFacetCounts }>;
  /** The alarm system's health for a node's subtree over the last `hours` (default 24). */
  alarmHealth(node?: string, hours?: number): Promise<AlarmHealthView>;
  alert(id: string): Promise<Alert>;
  /**
   * Acknowledge / resolve / unshelve (note optional) or comment / send a directive / shelve for `minutes` (note
   * required).
   */
  act(id: string, action: AlertAction, note?: string, minutes?: number): Promise<Alert>;
  /** Sets who works on the alert (null: nobody). */
  assign(id: string, user: string | null): Promise<Alert>;
  /** Maintenance windows in scope not yet ended, optionally only those on or covering `node`. */
  maintenance(node?: string): Promise<MaintenanceWindow[]>;
}

export interface ApiOptions {
  /** Origin-relative base, default '' (same origin). */
  base?: string;
  fetch?: typeof fetch;
  /** Called on a 401 from any call but login (the session ran out): show the login form. */
  onUnauthorized?: () => void;
}

/**
 * A query string from the defined entries, in the order given.
 * @example queryString({ node: 'valle/norte', from: 5, to: undefined }) // '?node=valle%2Fnorte&from=5'
 */
export function queryString(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The query string of a filter, keys in a fixed order. */
function filterQuery(f: AlertFilter): string {
  const { state, node, kind, priority, indicator, assignee, shelved, q, since, until, order, limit } = f;
  return queryString({ state, node, kind, priority, indicator, assignee, shelved, q, since, until, order, limit });
}

export function createApi(opts: ApiOptions = {}): OpsroomApi {
  const base = opts.base ?? '';
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, quiet401 = false): Promise<T> {
    const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await doFetch(base + path, init);
    } catch (err) {
      throw new ApiError(0, undefined, t('page.unreachable', { message: (err as Error).message }));
    }
    const text = await res.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (!res.ok) {
      const e = (data ?? {}) as { error?: unknown; message?: unknown; code?: unknown };
      const message =
        typeof e.error === 'string'
          ? e.error
          : typeof e.message === 'string'
            ? e.message
            : `${res.status} ${res.statusText}`;
      const err = new ApiError(res.status, typeof e.code === 'string' ? e.code : undefined, message);
      if (err.unauthorized && !quiet401) opts.onUnauthorized?.();
      throw err;
    }
    return data as T;
  }

  return {
    login: (username, password) => call<LoginResult>('POST', '/api/login', { username, password }, true),
    logout: () => call<void>('POST', '/api/logout'),
    me: () => call<SessionUser>('GET', '/api/me', undefined, true),
    session: () => call<SessionInfo>('GET', '/api/session', undefined, true),
    model: () => call<ModelView>('GET', '/api/model'),
    latest: (node?: string) =>
      call<IndicatorUpdate[]>('GET', node ? `/api/latest?node=${encodeURIComponent(node)}` : '/api/latest'),
    history: (q) =>
      call<HistoryResult>(
        'GET',
        '/api/history' +
          queryString({
            node: q.node,
            indicator: q.indicator,
            from: q.from,
            to: q.to,
            windowMs: q.windowMs,
            aggregate: q.aggregate,
            maxPoints: q.maxPoints,
          }),
      ),
    alerts: (filter = {}) => call<Alert[]>('GET', '/api/alerts' + filterQuery(filter)),
    alertCounts: (filter = {}) =>
      call<{ total: number; facets: AlertFacetCounts }>('GET', '/api/alerts/counts' + filterQuery(filter)),
    alarmHealth: (node, hours) => call<AlarmHealthView>('GET', '/api/alarm-health' + queryString({ node, hours })),
    alert: (id) => call<Alert>('GET', `/api/alerts/${encodeURIComponent(id)}`),
    act: (id, action, note, minutes) => {
      if ((action === 'comment' || action === 'directive' || action === 'shelve') && !note?.trim()) {
        return Promise.reject(new ApiError(400, undefined, t('page.needsNote', { action })));
      }
      const body = {
        ...(note?.trim() ? { note: note.trim() } : {}),
        ...(action === 'shelve' ? { minutes: minutes ?? 60 } : {}),
      };
      return call<Alert>('POST', `/api/alerts/${encodeURIComponent(id)}/${action}`, body);
    },
    assign: (id, user) => call<Alert>('POST', `/api/alerts/${encodeURIComponent(id)}/assign`, { user }),
    maintenance: (node) => call<MaintenanceWindow[]>('GET', '/api/maintenance' + queryString({ node })),
  };
}
