import type { FastifyReply, FastifyRequest } from 'fastify';
import { inScope } from '@opsroom/models';
import type { SessionUser } from '../auth/sessions.js';
import { OpsError } from '../errors.js';
import type { AppServices } from './services.js';

export const SESSION_COOKIE = 'opsroom_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
    authVia: 'cookie' | 'bearer' | null;
  }
}

/** The session token of a request: `Authorization: Bearer …` first, then the session cookie. */
export function tokenOf(req: FastifyRequest): { token: string | undefined; via: 'cookie' | 'bearer' | null } {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return { token: h.slice(7).trim(), via: 'bearer' };
  const c = req.cookies?.[SESSION_COOKIE];
  return c ? { token: c, via: 'cookie' } : { token: undefined, via: null };
}

/**
 * preHandler for every route that needs a user. Cookie-authenticated writes must come from our
 * own origin (SameSite=Strict cookie, plus an Origin check) — CSRF protection for the browser.
 */
export function requireUser(services: AppServices) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const { token, via } = tokenOf(req);
    const user = services.sessions.lookup(token);
    if (!user) throw new OpsError('OPS_ERR_UNAUTHENTICATED');
    if (via === 'cookie' && req.method !== 'GET' && req.method !== 'HEAD') {
      const origin = req.headers.origin;
      if (origin !== undefined && originHost(origin) !== req.headers.host) throw new OpsError('OPS_ERR_CSRF');
    }
    req.user = user;
    req.authVia = via;
  };
}

/** The host of an Origin header, or null for `null` and anything unparsable (treated as foreign). */
export function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/**
 * Federation: the child server to ask about `path` when a server below this one runs it (any depth) and the path lies
 * in the user's scope; undefined otherwise, and the route goes on to {@link visibleNode}. A child's top node is also in
 * this server's own model (it holds the roll-ups the uplink brings): it is asked of the child, and answered from
 * here only when the child cannot be reached ({@link askChildOrHere}).
 */
export function childServerFor(services: AppServices, user: SessionUser, path: string): string | undefined {
  if (!services.remote || !inScope(user.scope, path)) return undefined;
  return services.remote.ownerOf(path);
}

/**
 * Asks the child server; when it cannot be reached and this server holds the node too (a child's top, with the
 * roll-ups the uplink brought), answers from here instead. Any other error is the answer.
 */
export async function askChildOrHere<T>(
  services: AppServices,
  node: string,
  ask: () => Promise<T>,
  here: () => T | Promise<T>,
): Promise<T> {
  try {
    return await ask();
  } catch (err) {
    if (err instanceof OpsError && err.code === 'OPS_ERR_SERVER_UNREACHABLE' && services.model().nodes.has(node))
      return here();
    throw err;
  }
}

/** The node if it exists and lies in the user's scope; otherwise 404, so existence is not revealed. */
export function visibleNode(services: AppServices, user: SessionUser, path: string): string {
  if (!services.model().nodes.has(path) || !inScope(user.scope, path))
    throw new OpsError('OPS_ERR_NOT_FOUND', `node ${path}`);
  return path;
}
