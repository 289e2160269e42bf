import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import type { OpsroomConfig } from '../config/config.js';
import { resolveConfig, tlsFiles } from '../config/config.js';
import { ConfigError } from '../errors.js';
import { DEFAULT_UI_DIR } from '../start.js';
import { baseApp, serveUi } from '../http/app.js';
import { healthAnswer } from '../http/routes/health.js';
import { Lifecycle } from '../lifecycle/lifecycle.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { createReplicaMetrics } from '../metrics/registry.js';
import { recordRequestDurations } from '../http/request-metrics.js';
import { connectSharedEvents, sharedEventsHealth } from '../realtime/shared-events.js';
import { startRealtime } from '../realtime/socket-server.js';
import { forwardApi } from './api-forwarder.js';
import { ownerAuthority } from './owner-authority.js';

/** How often a replica's sockets are checked against their sessions at the owner, ms (one question per session). */
export const REPLICA_SWEEP_MS = 1000;

export interface ReplicaOptions extends Partial<OpsroomConfig> {
  logger?: FastifyServerOptions['logger'];
  now?: () => number;
}

export interface RunningReplica {
  httpUrl: string;
  httpPort: number;
  /** The server it serves. */
  owner: string;
  log: Logger;
  close(): Promise<void>;
}

/**
 * A UI replica (issue 19 point 4): one more UI-facing server for a level, for more browsers than one process serves
 * (or one per site). It serves the room and its live sockets; every API call goes to the owner (the one server that
 * writes the level's state: alerts, sessions, the model), and the owner's live events come through the Redis both
 * share (realtime/shared-events.ts). It has no broker, store, state or ingest of its own, so it never takes a
 * device's or the owner's MQTT session.
 */
export async function startReplica(options: ReplicaOptions = {}): Promise<RunningReplica> {
  const { logger: loggerOpts, now: nowOpt, ...overrides } = options;
  const config = resolveConfig({}, process.env, { uiDir: DEFAULT_UI_DIR, ...overrides });
  if (!config.replicaOf) throw new ConfigError('a replica needs --replica-of URL: the server it serves');
  if (!config.redisUrl) throw new ConfigError('a replica needs --redis-url: where its owner publishes live events');
  const owner = new URL(config.replicaOf);
  const now = nowOpt ?? Date.now;
  const life = new Lifecycle();
  try {
    const tls = tlsFiles(config);
    const app = baseApp({
      logger: loggerOpts ?? { level: config.logLevel, stream: process.stdout },
      https: tls,
      ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
    });
    const log: Logger = app.log ?? silentLogger;
    const metrics = createReplicaMetrics();
    recordRequestDurations(app, { metrics });
    life.useLogger(log);
    life.own('http', app, (a) => a.close());
    const shared = life.own('shared live events', await connectSharedEvents(config.redisUrl, log), (e) => e.close());

    app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
      const reach = await fetch(new URL('/healthz', owner), { signal: AbortSignal.timeout(2000) }).then(
        (r) => ({ ok: r.ok, detail: `the owner answers ${r.status}` }),
        () => ({ ok: false, detail: 'the owner cannot be reached' }),
      );
      return healthAnswer(reply, { owner: reach, events: sharedEventsHealth(shared) });
    });
    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.render();
    });
    await forwardApi(app, { owner, onUnreachable: () => metrics.ownerUnreachable.inc() });
    await serveUi(app, config.uiDir);

    await app.listen({ port: config.httpPort, host: config.host });
    const httpPort = (app.server.address() as AddressInfo).port;
    life.own(
      'sockets',
      startRealtime(app.server as HttpServer, ownerAuthority({ owner, now }), {
        adapter: shared.adapter,
        sweepMs: REPLICA_SWEEP_MS,
        onClients: (n) => metrics.socketClients.set(n),
      }),
      (rt) => rt.close(),
    );
    const httpUrl = `${tls ? 'https' : 'http'}://${config.host}:${httpPort}`;
    log.info({ http: httpUrl, owner: owner.origin }, 'opsroom UI replica started');
    return { httpUrl, httpPort, owner: owner.origin, log, close: () => life.stop() };
  } catch (err) {
    await life.stop();
    throw err;
  }
}
