import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import type { SessionUser } from '../../src/auth/sessions.js';
import type { OpsroomConfig } from '../../src/config/config.js';
import { build } from '../../src/http/app.js';
import type { AppServices } from '../../src/http/services.js';
import { tinyModel } from '../support/tiny-model.js';

const USERS: Record<string, SessionUser> = { 'tok-boss': { name: 'boss', role: 'planner', scope: 'r' } };

/** The app over real HTTP with the given demo logins in its configuration (none: `opsroom start`). */
async function serve(demoLogins?: OpsroomConfig['demoLogins']): Promise<{ app: FastifyInstance; base: string }> {
  const model = tinyModel();
  const services = {
    config: { demoLogins } as OpsroomConfig,
    model: () => model,
    now: () => 0,
    sessions: { lookup: (t: string | undefined) => (t ? (USERS[t] ?? null) : null) },
  } as unknown as AppServices;
  const app = await build(services);
  return { app, base: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

const session = async (base: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}/api/session`, { headers });
  return { status: res.status, body: (await res.json()) as unknown };
};

describe('GET /api/session', () => {
  let start: Awaited<ReturnType<typeof serve>>;
  let demo: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    start = await serve();
    // 'ghost' is not in the model (edited since): it is left out.
    demo = await serve([
      { username: 'boss', password: 'demo-boss-pw' },
      { username: 'council-a', password: 'demo-a-pw' },
      { username: 'ghost', password: 'x' },
    ]);
  });
  afterAll(async () => {
    await start.app.close();
    await demo.app.close();
  });

  it('answers 200 with user null to nobody, a stale cookie or an unknown token: no 401 at page load', async () => {
    const nobody = { user: null, demo: false, demoLogins: [] };
    expect(await session(start.base)).toEqual({ status: 200, body: nobody });
    expect(await session(start.base, { authorization: 'Bearer not-a-session' })).toEqual({ status: 200, body: nobody });
    expect(await session(start.base, { cookie: 'opsroom_session=expired' })).toEqual({ status: 200, body: nobody });
  });

  it('names the signed-in user', async () => {
    expect(await session(start.base, { authorization: 'Bearer tok-boss' })).toEqual({
      status: 200,
      body: { user: { name: 'boss', role: 'planner', scope: 'r' }, demo: false, demoLogins: [] },
    });
  });

  it("offers the demo's logins, with their roles from the model, only when the server runs the demo", async () => {
    expect(await session(demo.base)).toEqual({
      status: 200,
      body: {
        user: null,
        demo: true,
        demoLogins: [
          { username: 'boss', password: 'demo-boss-pw', role: 'planner' },
          { username: 'council-a', password: 'demo-a-pw', role: 'council' },
        ],
      },
    });
    // Nothing of an account outside the demo: the plain server's answer holds no name at all.
    const plain = JSON.stringify((await session(start.base)).body);
    for (const name of ['boss', 'council-a', 'council-b', 'planner', 'council']) expect(plain).not.toContain(name);
  });

  it('is in the OpenAPI document, public, with its response schema', async () => {
    const doc = (await (await fetch(`${start.base}/api/docs/json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            security?: unknown[];
            responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown> } }> }>;
          }
        >
      >;
    };
    const op = doc.paths['/api/session']!.get!;
    expect(op.security).toEqual([]);
    expect(Object.keys(op.responses['200']!.content['application/json']!.schema.properties).sort()).toEqual([
      'demo',
      'demoLogins',
      'user',
    ]);
  });
});
