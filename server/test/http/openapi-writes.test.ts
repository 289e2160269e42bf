import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import type { OpsroomConfig } from '../../src/config/config.js';
import { build } from '../../src/http/app.js';
import type { AppServices } from '../../src/http/services.js';
import { tinyModel } from '../support/tiny-model.js';

interface OpenApiDoc {
  paths: Record<string, Record<string, { responses?: Record<string, { description?: string }> }>>;
}

// Every write that saves to the state database can answer 503 OPS_ERR_STATE_UNAVAILABLE (a full
// disk: nothing changed, try again): the OpenAPI document must say so, route by route.
describe('the OpenAPI document of the state writes', () => {
  let app: FastifyInstance;
  let doc: OpenApiDoc;
  beforeAll(async () => {
    const model = tinyModel();
    app = await build({
      config: {} as OpsroomConfig,
      model: () => model,
      now: () => 0,
      sessions: { lookup: () => null },
    } as unknown as AppServices);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    doc = (await (await fetch(`${base}/api/docs/json`)).json()) as OpenApiDoc;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists 503 for every alert action and maintenance write', () => {
    const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(
          ([method]) =>
            ['post', 'delete'].includes(method) &&
            (path.startsWith('/api/alerts/') || path.startsWith('/api/maintenance')),
        )
        .map(
          ([method, op]) => [`${method.toUpperCase()} ${path}`, op.responses?.['503']?.description ?? null] as const,
        ),
    );
    expect(writes.length).toBeGreaterThanOrEqual(8);
    for (const [route, description] of writes)
      expect([route, description]).toEqual([route, expect.stringContaining('OPS_ERR_STATE_UNAVAILABLE')]);
  });
});
