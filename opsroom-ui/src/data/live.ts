import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@opsroom/models';
import type { OpsroomApi } from './api.js';
import type { Store } from './state.js';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LiveOptions {
  store: Store;
  api: OpsroomApi;
  /** Called when the server no longer accepts the session: show the login form. */
  onUnauthorized: () => void;
  /** socket.io options for tests and odd deployments; the default is the same origin. */
  url?: string;
  /** Time to wait for a snapshot answer, ms. */
  snapshotTimeoutMs?: number;
  /** Opens the socket; the default is socket.io-client's `io` (tests pass a fake). */
  connect?: (url: string | undefined, opts: Record<string, unknown>) => LiveSocket;
  /** Delay before connecting again after the server refused the socket, ms. */
  refusedRetryMs?: number;
}

export interface LiveLink {
  /** Ask again for the latest values and the open alerts (what a reconnect does by itself). */
  resync(): Promise<void>;
  close(): void;
}

/** Delay before trying again after the server refused the socket while the session still holds, ms. */
const REFUSED_RETRY_MS = 3000;

/**
 * The live link: socket.io (cookie-authenticated, same origin) feeding the store.
 * socket.io-client reconnects by itself with backoff; every (re)connection asks for a
 * `snapshot` of the latest values and refetches the open alerts, so the room resynchronises
 * after an outage without a reload. When the server itself drops or refuses the socket, the
 * session is checked: gone -> `onUnauthorized`, still valid -> connect again.
 */
export function connectLive(opts: LiveOptions): LiveLink {
  const { store, api } = opts;
  const socketOpts = {
    withCredentials: true,
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 10_000,
  };
  const connect = opts.connect ?? ((url, o) => (url ? io(url, o) : io(o)));
  const socket: LiveSocket = connect(opts.url, socketOpts);
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  store.dispatch({ type: 'connection', status: 'connecting' });

  socket.on('indicator:batch', (updates) => store.dispatch({ type: 'indicators', updates }));
  socket.on('node:status', (statuses) => store.dispatch({ type: 'statuses', statuses }));
  for (const ev of ['alert:raised', 'alert:updated', 'alert:escalated', 'alert:resolved'] as const) {
    socket.on(ev, (alert) => store.dispatch({ type: 'alert', alert }));
  }

  async function resync(): Promise<void> {
    const [snapshot, alerts] = await Promise.allSettled([
      socket.connected ? socket.timeout(opts.snapshotTimeoutMs ?? 10_000).emitWithAck('snapshot') : api.latest(),
      api.alerts({ state: 'open', shelved: 'include' }),
    ]);
    if (closed) return;
    if (snapshot.status === 'fulfilled') store.dispatch({ type: 'indicators', updates: snapshot.value });
    if (alerts.status === 'fulfilled') store.dispatch({ type: 'alerts:replace', alerts: alerts.value });
  }

  /** The server refused or dropped us: find out whether the session is still good. */
  async function checkSessionThenRetry(): Promise<void> {
    try {
      await api.me();
    } catch (err) {
      if ((err as { status?: number }).status === 401) {
        if (!closed) opts.onUnauthorized();
        return;
      }
    }
    if (closed) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      if (!closed && !socket.connected) socket.connect();
    }, opts.refusedRetryMs ?? REFUSED_RETRY_MS);
  }

  socket.on('connect', () => {
    store.dispatch({ type: 'connection', status: 'live' });
    void resync();
  });
  socket.on('disconnect', (reason) => {
    if (closed) return;
    store.dispatch({ type: 'connection', status: 'connecting' });
    // socket.io reconnects by itself except when the server closed the socket on purpose.
    if (reason === 'io server disconnect') void checkSessionThenRetry();
  });
  socket.on('connect_error', () => {
    if (closed) return;
    store.dispatch({ type: 'connection', status: 'offline' });
    // `active` is false when the server's middleware refused the handshake (no automatic retry).
    if (!socket.active) void checkSessionThenRetry();
  });

  return {
    resync,
    close() {
      closed = true;
      clearTimeout(retryTimer);
      socket.removeAllListeners();
      socket.disconnect();
      store.dispatch({ type: 'connection', status: 'offline' });
    },
  };
}
