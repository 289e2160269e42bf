import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OpsError } from '../errors.js';

/** Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface ForwarderOptions {
  /** The server that owns the level's state (`--replica-of`). */
  owner: URL;
  /** The longest the owner may take to answer, ms (default 30 s, the server's own request timeout). */
  timeoutMs?: number;
  /** The largest body forwarded, bytes (default 64 KiB, the server's own limit). */
  bodyLimit?: number;
  /** Called for each call the owner did not answer (counted in the replica's `/metrics`). */
  onUnreachable?: () => void;
}

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

/**
 * Forwards every `/api/*` request to the owner as it came (method, path, query, cookies, bearer, Origin, and the Host
 * the browser addressed, so the owner's CSRF check compares the page's origin with this replica's host) with the
 * client's address appended to X-Forwarded-For (believed by an owner started with `--trust-proxy`), and streams the
 * answer back, Set-Cookie included. Authentication, scope and validation stay the owner's: a replica decides nothing.
 * An owner that cannot be reached is a 503 OPS_ERR_SERVER_UNREACHABLE.
 */
export async function forwardApi(app: FastifyInstance, o: ForwarderOptions): Promise<void> {
  const https = o.owner.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = https ? httpsRequest : httpRequest;
  app.addHook('onClose', async () => agent.destroy());

  // Resolves with the reply (fastify's sign that the handler sent it itself: the stream's send is asynchronous).
  const forward = (req: FastifyRequest, reply: FastifyReply) =>
    new Promise<FastifyReply>((resolve) => {
      const done = () => resolve(reply);
      const headers = forwardable(req.headers);
      const from = req.socket.remoteAddress;
      const chain = [req.headers['x-forwarded-for'], from].filter((a) => a !== undefined && a !== '').join(', ');
      if (chain) headers['x-forwarded-for'] = chain;
      headers['x-forwarded-proto'] = req.protocol;
      const body = Buffer.isBuffer(req.body) ? req.body : undefined;
      if (body) headers['content-length'] = String(body.length);
      else delete headers['content-length'];
      const upstream = send(
        {
          protocol: o.owner.protocol,
          hostname: o.owner.hostname,
          port: o.owner.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
          timeout: o.timeoutMs ?? 30_000,
        },
        (res) => {
          reply.code(res.statusCode ?? 502);
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined && !HOP_BY_HOP.has(k)) reply.header(k, v);
          void reply.send(res);
          done();
        },
      );
      // a browser that goes away mid-answer: the owner's answer is not read for nobody
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) upstream.destroy();
      });
      upstream.on('timeout', () => upstream.destroy(new Error(`no answer within ${o.timeoutMs ?? 30_000} ms`)));
      upstream.on('error', (err) => {
        if (reply.sent) return;
        req.log.warn({ owner: o.owner.origin, err: err.message }, 'replica: the owner cannot be reached');
        o.onUnreachable?.();
        void reply.send(
          new OpsError('OPS_ERR_SERVER_UNREACHABLE', `this replica's server (${o.owner.host}) cannot be reached now`),
        );
        done();
      });
      upstream.end(body);
    });

  await app.register(async (scope) => {
    // Bodies pass through as bytes: the owner parses and validates them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: o.bodyLimit ?? 64 * 1024 }, (_req, body, next) =>
      next(null, body),
    );
    scope.all('/api/*', { schema: { hide: true } }, forward);
  });
}
