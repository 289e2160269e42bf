import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IndicatorUpdate, ModelView } from '@opsroom/models';
import {
  connectSocket,
  demoCredentials,
  EXAMPLE_MODEL,
  getJson,
  login,
  startTestServer,
} from '../support/demo-fixture.js';

/** Issue 3 point 6: editing the model file while the server runs reloads it; a bad edit is refused. */
describe('editing the model file of a running server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-reload-'));
  const model = join(dir, 'valle.yaml');
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let token: string;
  beforeAll(async () => {
    copyFileSync(EXAMPLE_MODEL, model);
    server = await startTestServer({ model });
    token = await login(server.httpUrl, 'planner', demoCredentials().users.planner!);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const nameOf = async (path: string) =>
    (await getJson<ModelView>(server.httpUrl, '/api/model?values=false', token)).body.nodes.find((n) => n.path === path)
      ?.name;
  async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
    for (const until = Date.now() + ms; Date.now() < until;) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  it('applies a valid change without a restart and keeps it when a broken one follows', async () => {
    const original = readFileSync(model, 'utf8');
    const before = await nameOf('valle/norte');
    expect(before).toBeDefined();
    writeFileSync(model, original.replace(`name: ${before}`, 'name: Consejo Norte (renamed)'));
    expect(await eventually(async () => (await nameOf('valle/norte')) === 'Consejo Norte (renamed)')).toBe(true);

    // A broken edit: refused, the running model stays the last good one.
    writeFileSync(model, original.replace('rollup: sum', 'rollup: summ'));
    await new Promise((r) => setTimeout(r, 1500)); // past the watcher's debounce
    expect(await nameOf('valle/norte')).toBe('Consejo Norte (renamed)');
    expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200);
  });

  it('puts open sockets in the rooms of nodes a reload added (issue 17 point 5: one reload path)', async () => {
    const original = readFileSync(EXAMPLE_MODEL, 'utf8'); // the test before left a broken edit
    const socket = await connectSocket(
      server.httpUrl,
      await login(server.httpUrl, 'coop-lana', demoCredentials().users['coop-lana']!),
    );
    try {
      const seen = new Set<string>();
      socket.on('indicator:batch', (list: IndicatorUpdate[]) => list.forEach((u) => seen.add(u.node)));
      const added = [
        '              - id: taller-9',
        '                name: Taller 9 — added by a reload',
        '                weights: { members: 3 }',
        '                levels: { output: { capability: 10, potentiality: 20 } }',
      ].join('\n');
      const anchor = '                levels: { output: { capability: 90, potentiality: 120 } }\n';
      expect(original).toContain(anchor);
      writeFileSync(model, original.replace(anchor, `${anchor}${added}\n`));
      expect(await eventually(async () => seen.has('valle/norte/lana/taller-9'))).toBe(true);
      // Still only its own scope: nothing from the other council.
      expect([...seen].every((n) => n.startsWith('valle/norte/lana'))).toBe(true);
    } finally {
      socket.disconnect();
      writeFileSync(model, original);
    }
  }, 20_000);
});
