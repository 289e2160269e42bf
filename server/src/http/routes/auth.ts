import type { FastifyInstance } from 'fastify';
import type { ContractTypeProvider } from '../type-provider.js';
import { LoginAnswerSchema, LoginBody, SessionInfoSchema, SessionUserSchema } from '@opsroom/models/http';
import { requireUser, SESSION_COOKIE, tokenOf } from '../auth-hook.js';
import { errorSchema } from '../schemas.js';
import type { AppServices } from '../services.js';

/** Login (cookie for the browser + bearer token for scripts), logout, and who am I. */
export function authRoutes(server: FastifyInstance, s: AppServices): void {
  const app = server.withTypeProvider<ContractTypeProvider>();
  app.post(
    '/api/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in: sets an httpOnly session cookie and returns a bearer token',
        body: LoginBody,
        response: {
          200: LoginAnswerSchema,
          401: errorSchema,
          429: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      try {
        const { token, user, expires } = await s.sessions.login(username, password, req.ip);
        reply.setCookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          path: '/',
          secure: req.protocol === 'https',
          expires: new Date(expires),
        });
        req.log.info({ user: user.name }, 'login');
        return { token, user, expires };
      } catch (err) {
        s.metrics.loginFailures.inc();
        // Only names of real accounts are logged: what was typed as a name is often a password.
        req.log.warn({ user: s.model().users.has(username) ? username : '(not an account)' }, 'login refused');
        throw err;
      }
    },
  );

  app.post(
    '/api/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the session (cookie or bearer token)',
        response: { 204: { type: 'null' } },
      },
      preHandler: requireUser(s),
    },
    async (req, reply) => {
      s.sessions.logout(tokenOf(req).token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.code(204);
    },
  );

  // Public: the page asks this at load instead of /api/me, so that nobody signed in is a 200, not
  // a 401 (a red line in the browser's console). It names an account only when the server runs
  // the demo, whose logins are public (printed in the banner, in the README); `opsroom start`
  // answers {user: null, demo: false, demoLogins: []} to anyone without a session.
  app.get(
    '/api/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in (null for nobody, never 401), and the demo logins when the server runs the demo',
        security: [],
        response: { 200: SessionInfoSchema },
      },
    },
    async (req) => {
      const user = s.sessions.lookup(tokenOf(req).token);
      const logins = s.config.demoLogins;
      if (!logins) return { user, demo: false, demoLogins: [] };
      const users = s.model().users;
      // Only accounts the model still has (it may have been edited since the demo started).
      const demoLogins = logins.flatMap((l) => {
        const u = users.get(l.username);
        return u ? [{ username: l.username, password: l.password, role: u.role }] : [];
      });
      return { user, demo: true, demoLogins };
    },
  );

  app.get(
    '/api/me',
    {
      schema: { tags: ['auth'], summary: 'The logged-in user', response: { 200: SessionUserSchema, 401: errorSchema } },
      preHandler: requireUser(s),
    },
    async (req) => req.user!,
  );
}
