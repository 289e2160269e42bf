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
import { SESSION_COOKIE } from '../http/auth-hook.js';
import type { AppServices } from '../http/services.js';
import type { AlertEvent } from '../alerts/alert-service.js';

interface SocketData {
  user: SessionUser;
}
type OpsSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface Realtime {
  /** Batched: one emit per node room per call. */
  publishUpdates(updates: readonly IndicatorUpdate[]): void;
  publishStatuses(statuses: readonly NodeStatus[]): void;
  /** To the rooms of every node the alert passed through, and no others. */
  publishAlert(event: AlertEvent, alert: Alert): void;
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
 * socket.io on the HTTP server: authenticated by the session cookie or `auth.token`; each socket
 * joins the room of every node inside its user's scope, and only those.
 */
export function startRealtime(http: HttpServer, s: AppServices): Realtime {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(http, {
    serveClient: false,
    maxHttpBufferSize: 16 * 1024, // clients only send small acks; refuse anything big
    cors: { origin: false },
  });

  io.use((socket, next) => {
    const fromAuth = typeof socket.handshake.auth?.token === 'string' ? (socket.handshake.auth.token as string) : undefined;
    const token = fromAuth ?? cookieValue(socket.handshake.headers.cookie, SESSION_COOKIE);
    const user = s.sessions.lookup(token);
    if (!user) return next(new Error('unauthenticated: log in first (POST /api/login)'));
    socket.data.user = user;
    next();
  });

  io.on('connection', (socket: OpsSocket) => {
    const user = socket.data.user;
    const rooms = [...s.model().nodes.keys()].filter((p) => inScope(user.scope, p)).map(nodeRoom);
    void socket.join(rooms);
    s.metrics.socketClients.set(io.engine.clientsCount);
    socket.emit('hello', { user: user.name, role: user.role, scope: user.scope, rooms: rooms.length });
    socket.on('snapshot', (ack) => {
      if (typeof ack !== 'function') return;
      ack(s.live.snapshot((p) => inScope(user.scope, p)));
    });
    socket.on('disconnect', () => s.metrics.socketClients.set(io.engine.clientsCount));
  });

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
    async close() {
      // Not io.close(): that would close the HTTP server, which belongs to fastify.
      io.disconnectSockets(true);
      io.engine.close();
    },
  };
}
