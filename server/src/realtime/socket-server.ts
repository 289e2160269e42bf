import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import {
  inScope,
  nodeRoom,
  type Alert,
  type ClientToServerEvents,
  type IndicatorUpdate,
  type NodeStatus,
  type ServerToClientEvents,
} from '@opsroom/models';
import type { SessionUser } from '../auth/sessions.js';
import { originHost, SESSION_COOKIE } from '../http/auth-hook.js';
import type { AppServices } from '../http/services.js';
import type { AlertEvent } from '../alerts/alert-service.js';

interface SocketData {
  user: SessionUser;
  /** The session the socket rides on: checked again every sweep. */
  token: string;
  /** Snapshot requests still allowed in the current window, and when it started. */
  snapshots: { left: number; since: number };
}

/** How often a server's live sockets are checked against their sessions and the model, ms. */
export const SESSION_SWEEP_MS = 250;
/** Snapshot requests a socket may make per window; more are not answered. */
export const SNAPSHOT_LIMIT = { perWindow: 5, windowMs: 10_000 };
type OpsSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface Realtime {
  /** Batched: one emit per node room per call. */
  publishUpdates(updates: readonly IndicatorUpdate[]): void;
  publishStatuses(statuses: readonly NodeStatus[]): void;
  /** To the rooms of every node the alert passed through, and no others. */
  publishAlert(event: AlertEvent, alert: Alert): void;
  /** The model was reloaded: every open socket joins exactly the rooms its scope now covers, at once. */
  modelChanged(): void;
  close(): Promise<void>;
}

/**
 * Who may hold a live socket and what it sees: the server that owns the state answers from its own sessions and
 * model ({@link ownAuthority}); a UI replica asks its owner over HTTP (replica/owner-authority.ts). Answers may be
 * plain values or promises.
 */
export interface SocketAuthority {
  /** The user of a session token; undefined when the token is not (or no longer) a session. */
  user(token: string): SessionUser | undefined | Promise<SessionUser | undefined>;
  /** The node paths of the user's scope (the socket joins their rooms). */
  nodes(user: SessionUser, token: string): readonly string[] | Promise<readonly string[]>;
  /** The latest values in the user's scope: the answer to a socket's `snapshot`. */
  snapshot(user: SessionUser, token: string): IndicatorUpdate[] | Promise<IndicatorUpdate[]>;
  /** Changes whenever the nodes of a scope may have changed (the model); sockets re-join their rooms then. */
  nodesEpoch(): unknown;
  now(): number;
}

/** The authority of the server that owns the sessions, the model and the live values. */
export function ownAuthority(s: AppServices): SocketAuthority {
  return {
    user: (token) => s.sessions.lookup(token) ?? undefined,
    nodes: (user) => [...s.model().nodes.keys()].filter((p) => inScope(user.scope, p)),
    snapshot: (user) => s.live.snapshot((p) => inScope(user.scope, p)),
    nodesEpoch: () => s.model(),
    now: () => s.now(),
  };
}

export interface RealtimeOptions {
  /** How often open sockets are checked against their sessions and rooms, ms (default {@link SESSION_SWEEP_MS}). */
  sweepMs?: number;
  /** socket.io adapter shared by several UI-facing servers (realtime/shared-events.ts); default in-process. */
  adapter?: ServerOptions['adapter'];
  /** Told the number of connected sockets at each change. */
  onClients?: (count: number) => void;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/**
 * socket.io on the HTTP server: authenticated by the session cookie (from our own origin only) or
 * `auth.token`; each socket joins the room of every node inside its user's scope, and only those,
 * and is disconnected within one sweep once its session ends. With a shared adapter, what one server
 * publishes reaches the sockets of every server on it (issue 19 point 4).
 */
export function startRealtime(http: HttpServer, authority: SocketAuthority, opts: RealtimeOptions = {}): Realtime {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(http, {
    serveClient: false,
    maxHttpBufferSize: 16 * 1024, // clients only send small acks; refuse anything big
    cors: { origin: false },
    ...(opts.adapter ? { adapter: opts.adapter } : {}),
  });
  const clientsChanged = () => opts.onClients?.(io.engine.clientsCount);

  io.use((socket, next) => {
    const fromAuth =
      typeof socket.handshake.auth?.token === 'string' ? (socket.handshake.auth.token as string) : undefined;
    const token = fromAuth ?? cookieValue(socket.handshake.headers.cookie, SESSION_COOKIE);
    // Like the HTTP routes' CSRF check: a browser page on another origin may ride the cookie, so a
    // cookie-authenticated handshake must come from our own origin. A token in `auth` is never sent
    // by a browser on its own.
    const origin = socket.handshake.headers.origin;
    if (fromAuth === undefined && origin !== undefined && originHost(origin) !== socket.handshake.headers.host) {
      return next(new Error('forbidden origin: the live view accepts cookie sessions from the ops room origin only'));
    }
    if (token === undefined) return next(new Error('unauthenticated: log in first (POST /api/login)'));
    Promise.resolve(authority.user(token)).then(
      (user) => {
        if (!user) return next(new Error('unauthenticated: log in first (POST /api/login)'));
        socket.data.user = user;
        socket.data.token = token;
        socket.data.snapshots = { left: SNAPSHOT_LIMIT.perWindow, since: authority.now() };
        next();
      },
      (err: Error) => next(new Error(`the session cannot be checked now: ${err.message}`)),
    );
  });

  const roomsOf = async (user: SessionUser, token: string) => (await authority.nodes(user, token)).map(nodeRoom);

  io.on('connection', (socket: OpsSocket) => {
    const user = socket.data.user;
    clientsChanged();
    socket.on('disconnect', clientsChanged);
    socket.on('snapshot', (ack) => {
      if (typeof ack !== 'function') return;
      const quota = socket.data.snapshots;
      const now = authority.now();
      if (now - quota.since >= SNAPSHOT_LIMIT.windowMs) {
        quota.left = SNAPSHOT_LIMIT.perWindow;
        quota.since = now;
      }
      if (quota.left <= 0) return; // not answered: the client's ack times out and it asks later
      quota.left--;
      Promise.resolve(authority.snapshot(socket.data.user, socket.data.token)).then(ack, () => {
        /* not answered: the client's ack times out and it asks again */
      });
    });
    roomsOf(user, socket.data.token).then(
      (rooms) => {
        if (!socket.connected) return;
        void socket.join(rooms);
        socket.emit('hello', { user: user.name, role: user.role, scope: user.scope, rooms: rooms.length });
      },
      () => socket.disconnect(true), // its rooms cannot be known: the client connects again
    );
  });

  // A closed session is closed everywhere: every socket is checked against its session (logout,
  // expiry, a user removed or re-scoped by a model reload all end it) and, when the model changed,
  // re-joins exactly the rooms its scope now covers. One question per token and per scope per sweep.
  let sweptEpoch = authority.nodesEpoch();
  let sweeping: Promise<void> | null = null;
  const resyncOnce = async () => {
    const epoch = authority.nodesEpoch();
    const epochChanged = epoch !== sweptEpoch;
    sweptEpoch = epoch;
    const users = new Map<string, Promise<SessionUser | undefined>>();
    const rooms = new Map<string, Promise<Set<string>>>();
    for (const socket of io.of('/').sockets.values() as IterableIterator<OpsSocket>) {
      const { token } = socket.data;
      let asked = users.get(token);
      if (!asked) users.set(token, (asked = Promise.resolve(authority.user(token)).catch(() => socket.data.user)));
      const user = await asked; // an authority that cannot answer now leaves the socket as it was
      if (!user) {
        socket.disconnect(true);
        continue;
      }
      const rescoped = user.scope !== socket.data.user.scope;
      socket.data.user = user;
      if (epochChanged || rescoped) {
        let mine = rooms.get(user.scope);
        if (!mine) rooms.set(user.scope, (mine = roomsOf(user, token).then((r) => new Set(r))));
        const want = await mine.catch(() => null);
        if (!want || !socket.connected) continue;
        for (const r of socket.rooms) if (r !== socket.id && !want.has(r)) void socket.leave(r);
        void socket.join([...want]);
      }
    }
  };
  const resync = () => {
    sweeping ??= resyncOnce().finally(() => (sweeping = null));
    return sweeping;
  };
  const sweep = setInterval(() => void resync(), opts.sweepMs ?? SESSION_SWEEP_MS);
  sweep.unref();

  const byNode = <T extends { node: string }>(items: readonly T[]) => {
    const m = new Map<string, T[]>();
    for (const it of items) {
      const list = m.get(it.node);
      if (list) list.push(it);
      else m.set(it.node, [it]);
    }
    return m;
  };

  return {
    publishUpdates(updates) {
      for (const [node, list] of byNode(updates)) io.to(nodeRoom(node)).emit('indicator:batch', list);
    },
    publishStatuses(statuses) {
      for (const [node, list] of byNode(statuses)) io.to(nodeRoom(node)).emit('node:status', list);
    },
    publishAlert(event, alert) {
      // One emit to the union of the rooms: a socket in several of them gets it once.
      io.to(alert.path.map(nodeRoom)).emit(`alert:${event}`, alert);
    },
    modelChanged: () => void resync(),
    async close() {
      clearInterval(sweep);
      // Not io.close(): that would close the HTTP server, which belongs to fastify.
      io.disconnectSockets(true);
      io.engine.close();
      await sweeping;
      // A shared adapter stops reading its stream (and its Redis clients disconnect).
      io.of('/').adapter.close();
    },
  };
}
