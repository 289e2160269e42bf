import type { FastifyInstance } from 'fastify';
import { UNMATCHED_ROUTE, type Histogram } from '../metrics/registry.js';

/**
 * Times every HTTP request into `opsroom_http_request_duration_seconds{method, route, status_code}`.
 * `route` is the route's pattern (`/api/alerts/:id`), never the requested URL, so the label set
 * stays bounded whatever clients ask for; requests no route matched share one value
 * ({@link UNMATCHED_ROUTE}). The duration is fastify's own (`reply.elapsedTime`, a monotonic clock
 * from the request's arrival to the response's end). `services.metrics` is read per request:
 * start.ts fills the services in after build(); a UI replica passes its own.
 */
export function recordRequestDurations(
  app: FastifyInstance,
  services: { metrics?: { httpRequestDuration: Histogram } },
): void {
  app.addHook('onResponse', (req, reply, done) => {
    services.metrics?.httpRequestDuration.observe(reply.elapsedTime / 1000, {
      method: req.method,
      route: req.routeOptions.url ?? UNMATCHED_ROUTE,
      status_code: String(reply.statusCode),
    });
    done();
  });
}
