import { existsSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { OpsError } from '../errors.js';
import { adminRoutes } from './routes/admin.js';
import { alertRoutes } from './routes/alerts.js';
import { maintenanceRoutes } from './routes/maintenance.js';
import { authRoutes } from './routes/auth.js';
import { healthRoutes } from './routes/health.js';
import { historyRoutes } from './routes/history.js';
import { modelRoutes } from './routes/model.js';
import { recordRequestDurations } from './request-metrics.js';
import type { AppServices } from './services.js';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** Log every request and response (fastify's request logs); default off: at info they bury what matters. */
  requestLogging?: boolean;
  /** Directory of the built UI; served at `/` when it exists. */
  uiDir?: string;
  /** PEM key and certificate: serve HTTPS. */
  https?: { key: Buffer; cert: Buffer };
  /** Addresses of proxies whose X-Forwarded-For is believed (fastify's trustProxy); default none. */
  trustProxy?: string;
}

/** A CSP that forbids inline scripts; the UI loads only its own bundle and talks to its own origin. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src " +
  "'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri " +
  "'self'; frame-ancestors 'none'";

/** Builds the HTTP app (routes, schemas, OpenAPI, UI) without listening: `main` listens, tests inject. */
export async function build(services: AppServices, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = baseApp(opts);
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);
  recordRequestDurations(app, services);

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'opsroom API',
        version: '0.1.0',
        description: 'The ops room API: login, the model tree in scope, indicator history, algedonic alerts.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'opsroom_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  healthRoutes(app, services);
  authRoutes(app, services);
  modelRoutes(app, services);
  historyRoutes(app, services);
  alertRoutes(app, services);
  maintenanceRoutes(app, services);
  adminRoutes(app, services);

  await serveUi(app, opts.uiDir);
  return app;
}

/**
 * The fastify instance every HTTP face of opsroom starts from (the server's API, a UI replica): limits, security
 * headers, the error shape of the contract. No routes.
 */
export function baseApp(opts: BuildOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(opts.https ? { https: opts.https } : {}),
    logger: opts.logger ?? false,
    logController: new LogController({ disableRequestLogging: opts.requestLogging !== true }),
    bodyLimit: 64 * 1024, // 64 KiB: every body here is a small JSON document
    connectionTimeout: 30_000, // ms: a slow client may not hold a socket forever
    requestTimeout: 30_000,
    trustProxy: opts.trustProxy ?? false,
    // Unknown properties are refused (400), not silently stripped: fastify's default ajv has
    // removeAdditional: true, which makes `additionalProperties: false` strip instead of refuse.
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (opts.https) reply.header('strict-transport-security', 'max-age=31536000');
    if (!req.url.startsWith('/api/docs')) reply.header('content-security-policy', CSP);
    return payload;
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    if (err instanceof OpsError) {
      if (err.retryAfterMs !== undefined)
        reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
      return reply
        .code(err.statusCode)
        .send({ statusCode: err.statusCode, code: err.code, error: err.message, message: err.message });
    }
    if (err.validation || (err.statusCode && err.statusCode < 500)) {
      const status = err.statusCode ?? 400;
      return reply.code(status).send({
        statusCode: status,
        code: err.code ?? 'OPS_ERR_BAD_REQUEST',
        error: err.message,
        message: err.message,
      });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({
      statusCode: 500,
      code: 'OPS_ERR_INTERNAL',
      error: 'internal error; see the server log',
      message: 'internal error',
    });
  });

  return app;
}

/** The built UI at `/` (with a 404 in the contract's shape for what is not there), or a hint when it is not built. */
export async function serveUi(app: FastifyInstance, uiDir: string | undefined): Promise<void> {
  if (uiDir && existsSync(uiDir)) {
    await app.register(fastifyStatic, { root: uiDir, prefix: '/', index: ['index.html'] });
  } else {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => {
      reply.type('text/plain');
      return 'opsroom API is running. The UI is not built: run `npm run build:ui` (npm start does it for you).\n';
    });
  }
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({
      statusCode: 404,
      code: 'OPS_ERR_NOT_FOUND',
      error: `no route ${req.method} ${req.url.split('?')[0]}`,
      message: 'not found',
    });
  });
}
