import type { IndicatorUpdate, ModelView } from '@opsroom/models';
import type { SessionUser } from '../auth/sessions.js';
import type { SocketAuthority } from '../realtime/socket-server.js';

/** How often a replica's sockets ask their owner again which nodes their scope holds (a model reload there), ms. */
export const NODES_REFRESH_MS = 5000;

/**
 * A UI replica's socket authority: every question is asked of the owner over its API with the socket's own session
 * token (`/api/me`, `/api/model?values=false`, `/api/latest`), so the owner's sessions, scopes and model decide. A
 * 401 ends the socket; an owner that cannot be reached leaves open sockets as they are and refuses new ones.
 */
export function ownerAuthority(o: { owner: URL; now: () => number; timeoutMs?: number }): SocketAuthority {
  const ask = async <T>(path: string, token: string): Promise<T | undefined> => {
    const res = await fetch(new URL(path, o.owner), {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
    });
    if (res.status === 401) return undefined;
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    return (await res.json()) as T;
  };
  const required = async <T>(path: string, token: string): Promise<T> => {
    const answer = await ask<T>(path, token);
    if (answer === undefined) throw new Error(`${path}: the session has ended`);
    return answer;
  };
  return {
    user: (token) => ask<SessionUser>('/api/me', token),
    nodes: async (_user, token) =>
      (await required<ModelView>('/api/model?values=false', token)).nodes.map((n) => n.path),
    snapshot: (_user, token) => required<IndicatorUpdate[]>('/api/latest', token),
    nodesEpoch: () => Math.floor(o.now() / NODES_REFRESH_MS),
    now: o.now,
  };
}
