import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../services.js';

/** `GET /healthz` (store, broker link, ingest) and `GET /metrics` (Prometheus text). Both public: no data in them. */
export function healthRoutes(app: FastifyInstance, s: AppServices): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and the state of each component; 503 when one is failing',
        response: { 200: { type: 'object', additionalProperties: true }, 503: { type: 'object', additionalProperties: true } },
      },
    },
    async (_req, reply) => {
      const store = s.store.health();
      const components = { store: { ok: store.ok, detail: `${store.backend}: ${store.detail}` }, ...s.health() };
      const ok = Object.values(components).every((c) => c.ok);
      reply.code(ok ? 200 : 503);
      return { status: ok ? 'ok' : 'degraded', components };
    },
  );
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics (text format 0.0.4)' } }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return s.metrics.registry.render();
  });
}
