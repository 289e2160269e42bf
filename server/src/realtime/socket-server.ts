import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
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
  /** The session the socket rides on: checked again every {@link SESSION_SWEEP_MS}. */
  token: string;
  /** Snapshot requests still allowed in the current window, and when it started. */
  snapshots: { left: number; since: number };
}

/** How often live sockets are checked against their sessions and the model, ms. */
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
 * and is disconnected within {@link SESSION_SWEEP_MS} once its session ends.
 */
export function startRealtime(http: HttpServer, s: AppServices): Realtime {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(http, {
    serveClient: false,
    maxHttpBufferSize: 16 * 1024, // clients only send small acks; refuse anything big
    cors: { origin: false },
  });

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
    const user = s.sessions.lookup(token);
    if (!user || token === undefined) return next(new Error('unauthenticated: log in first (POST /api/login)'));
    socket.data.user = user;
    socket.data.token = token;
    socket.data.snapshots = { left: SNAPSHOT_LIMIT.perWindow, since: s.now() };
    next();
  });

  const roomsOf = (user: SessionUser) =>
    [...s.model().nodes.keys()].filter((p) => inScope(user.scope, p)).map(nodeRoom);

  io.on('connection', (socket: OpsSocket) => {
    const user = socket.data.user;
    const rooms = roomsOf(user);
    void socket.join(rooms);
    s.metrics.socketClients.set(io.engine.clientsCount);
    socket.emit('hello', { user: user.name, role: user.role, scope: user.scope, rooms: rooms.length });
    socket.on('snapshot', (ack) => {
      if (typeof ack !== 'function') return;
      const quota = socket.data.snapshots;
      const now = s.now();
      if (now - quota.since >= SNAPSHOT_LIMIT.windowMs) {
        quota.left = SNAPSHOT_LIMIT.perWindow;
        quota.since = now;
      }
      if (quota.left <= 0) return; // not answered: the client's ack times out and it asks later
      quota.left--;
      ack(s.live.snapshot((p) => inScope(socket.data.user.scope, p)));
    });
    socket.on('disconnect', () => s.metrics.socketClients.set(io.engine.clientsCount));
  });

  // A closed session is closed everywhere: every socket is checked against its session (logout,
  // expiry, a user removed or re-scoped by a model reload all end it) and, when the model changed,
  // re-joins exactly the rooms its scope now covers.
  let sweptModel = s.model();
  const resync = () => {
    const model = s.model();
    const modelChanged = model !== sweptModel;
    sweptModel = model;
    for (const socket of io.of('/').sockets.values() as IterableIterator<OpsSocket>) {
      const user = s.sessions.lookup(socket.data.token);
      if (!user) {
        socket.disconnect(true);
        continue;
      }
      socket.data.user = user;
      if (modelChanged) {
        const rooms = new Set(roomsOf(user));
        for (const r of socket.rooms) if (r !== socket.id && !rooms.has(r)) void socket.leave(r);
        void socket.join([...rooms]);
      }
    }
  };
  const sweep = setInterval(resync, SESSION_SWEEP_MS);
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
    modelChanged: resync,
    async close() {
      clearInterval(sweep);
      // Not io.close(): that would close the HTTP server, which belongs to fastify.
      io.disconnectSockets(true);
      io.engine.close();
    },
  };
}
