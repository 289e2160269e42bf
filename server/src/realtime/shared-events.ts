import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { redactUrl } from '@opsroom/models';
import type { Logger } from '../log/logger.js';

/** The live events several UI-facing servers of one level share (issue 19 point 4), through Redis Streams. */
export interface SharedEvents {
  /** The socket.io adapter: what one server emits to a room reaches that room's sockets on every server. */
  adapter: ReturnType<typeof createAdapter>;
  /** Whether Redis answers now (for /healthz); events published meanwhile wait in the client's queue. */
  connected(): boolean;
  close(): Promise<void>;
}

/** The stream all opsroom servers of one Redis share; servers of different levels use different Redis (or DBs). */
export const EVENT_STREAM = 'opsroom:events';

/**
 * Connects to Redis for the socket.io Redis Streams adapter. Nothing published is lost while Redis is away: the
 * client queues every command offline and sends it once Redis is back (`maxRetriesPerRequest: null`: a command never
 * gives up), and each server reads the stream from the last entry it saw, so events published during a Redis restart
 * arrive after it, in order. Redis being down never stops the server: it is logged once per outage.
 */
export async function connectSharedEvents(url: string, log: Logger): Promise<SharedEvents> {
  const shown = redactUrl(url);
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    connectionName: 'opsroom-events',
  });
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ redis: shown, err: err.message }, 'redis for shared live events is unreachable; events wait for it');
  });
  redis.on('ready', () => {
    if (down) log.info({ redis: shown }, 'redis for shared live events is back');
    down = false;
  });
  const adapter = createAdapter(redis, { streamName: EVENT_STREAM, maxLen: 100_000 });
  log.info({ redis: shown, stream: EVENT_STREAM }, 'live events shared through redis streams');
  return {
    adapter,
    connected: () => redis.status === 'ready',
    async close() {
      // Events not yet sent (Redis away) go with the process: a replica resynchronises its browsers on reconnect.
      if (redis.status !== 'ready') return redis.disconnect();
      await Promise.race([redis.quit(), new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => {});
      redis.disconnect();
    },
  };
}

/** The `events` component of /healthz. */
export function sharedEventsHealth(e: SharedEvents): { ok: boolean; detail: string } {
  return e.connected()
    ? { ok: true, detail: 'live events shared through redis' }
    : { ok: false, detail: 'redis unreachable: live events for the other servers wait until it is back' };
}
