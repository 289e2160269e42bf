import { basename } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { redactUrl } from '@opsroom/models';
import { HealthzSchema, type Healthz } from '@opsroom/models/http';
import type { AppServices } from '../services.js';

/**
 * A component's detail as an anonymous caller may see it: absolute paths shortened to their file
 * name, URLs without credentials (the store's own detail names its database file and server).
 * @example publicDetail('sqlite: /var/lib/opsroom/opsroom.db (WAL)') // 'sqlite: opsroom.db (WAL)'
 */
export function publicDetail(detail: string): string {
  return detail
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s;,)]+/gi, (url) => redactUrl(url))
    .replace(
      /(^|[\s(:=])((?:[A-Za-z]:)?[\\/](?:[^\s;,:)\\/]+[\\/])+[^\s;,:)\\/]*)/g,
      (_m, lead: string, path: string) => `${lead}${basename(path) || '.'}`,
    );
}

/**
 * A /healthz answer (the server's, a UI replica's): every component with its detail as an anonymous caller may see it,
 * `ok` and 200 when all are ok, `degraded` and 503 otherwise.
 */
export function healthAnswer(reply: FastifyReply, all: Record<string, { ok: boolean; detail: string }>): Healthz {
  const components = Object.fromEntries(
    Object.entries(all).map(([k, c]) => [k, { ...c, detail: publicDetail(c.detail) }]),
  );
  const ok = Object.values(components).every((c) => c.ok);
  reply.code(ok ? 200 : 503);
  return { status: ok ? 'ok' : 'degraded', components };
}

/**
 * `GET /healthz` (store; state database: failing while its saves fail; broker link) and `GET /metrics`
 * (Prometheus text from the server's prom-client registry). Both public: no data in them (no node
 * names, no user names; HTTP routes appear as their patterns, never as requested URLs).
 */
export function healthRoutes(app: FastifyInstance, s: AppServices): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and the state of each component; 503 when one is failing',
        response: { 200: HealthzSchema, 503: HealthzSchema },
      },
    },
    async (_req, reply): Promise<Healthz> => {
      const store = s.store.health();
      return healthAnswer(reply, {
        store: { ok: store.ok, detail: `${store.backend}: ${store.detail}` },
        ...s.health(),
      });
    },
  );
  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics (text format 0.0.4)' } },
    async (_req, reply) => {
      reply.type(s.metrics.registry.contentType);
      return s.metrics.registry.render();
    },
  );
}
