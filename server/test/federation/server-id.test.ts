import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deviceTopic, type ModelView } from '@opsroom/models';
import { hashSecret } from '../../src/auth/hash.js';
import { ConfigError } from '../../src/errors.js';
import { federatedModelText, linkedServers } from '../support/federated-model.js';
import { parseModel } from '../../src/model/load-model.js';
import { modelHash } from '../../src/model/model-hash.js';
import { startOpsroom } from '../../src/start.js';
import { connectDevice, getJson, login, startTestServer } from '../support/demo-fixture.js';
import { rawConnect } from '../support/raw-mqtt.js';

/**
 * Issue 19 point 1: `opsroom start --server-id norte` on a model with `servers:` runs only norte's subtree: its tree,
 * its devices (a device of another council is an unknown device to its broker), its users; readings of its devices
 * are stored and rolled up as on a single server.
 */
describe('a council server of a federated model (--server-id)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-federation-'));
  const model = join(dir, 'valle.yaml');
  const text = federatedModelText(hashSecret('demo'));
  writeFileSync(model, text);
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer({ model, serverId: 'norte', rollupPeriodMs: 200 });
    token = await login(server.httpUrl, 'ana', 'demo');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
    let v = await read();
    for (const until = Date.now() + ms; !ok(v) && Date.now() < until; v = await read())
      await new Promise((r) => setTimeout(r, 100));
    return v;
  }

  it("serves norte's subtree as the tree, and knows the whole model's hash", async () => {
    const { status, body } = await getJson<ModelView>(server.httpUrl, '/api/model?values=false', token);
    expect(status).toBe(200);
    expect(body.scope).toBe('valle/norte');
    expect(body.nodes.map((n) => n.path)).toEqual(['valle/norte', 'valle/norte/lana', 'valle/norte/telar']);
    expect(server.serverId).toBe('norte');
    expect(server.model.root).toBe('valle/norte');
    expect(server.modelHash).toBe(modelHash(parseModel(text, model).model!));
    // the region's user is not a user of the council's server
    const region = await fetch(`${server.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'boss', password: 'demo' }),
    });
    expect(region.status).toBe(401);
  });

  it('refuses a device of valle/sur at CONNECT, as it refuses an unknown device', async () => {
    const port = server.mqttPort!;
    const sur = await rawConnect(port, { username: 'cobre-plc', password: 'demo', clientId: 'cobre-plc' });
    const unknown = await rawConnect(port, { username: 'nobody-plc', password: 'demo', clientId: 'nobody-plc' });
    expect(sur).not.toBe(0);
    expect(sur).toBe(unknown);
  });

  it("stores a norte device's reading and rolls it up to valle/norte", async () => {
    const device = await connectDevice(server.mqttUrl, 'lana-plc', 'demo');
    const ts = Date.now();
    try {
      await device.publishAsync(
        deviceTopic('lana-plc', 'readings'),
        JSON.stringify({ metric: 'output', value: 42, ts }),
        {
          qos: 1,
        },
      );
    } finally {
      await device.endAsync();
    }
    const history = await eventually(
      () =>
        getJson<{ points: Array<{ ts: number; value: number }> }>(
          server.httpUrl,
          `/api/history?node=valle/norte/lana&indicator=output&from=${ts - 1}&to=${Date.now() + 1}`,
          token,
        ),
      (h) => h.body.points?.length === 1,
    );
    expect(history.body.points).toEqual([expect.objectContaining({ ts, value: 42 })]);
    const valueAt = (m: ModelView, path: string) =>
      m.nodes.find((n) => n.path === path)?.values?.find((v) => v.indicator === 'output')?.value;
    const view = await eventually(
      async () => (await getJson<ModelView>(server.httpUrl, '/api/model', token)).body,
      (m) => valueAt(m, 'valle/norte') === 42,
    );
    expect(valueAt(view, 'valle/norte/lana')).toBe(42);
    expect(valueAt(view, 'valle/norte')).toBe(42);
  });
});

describe("the region's server of a federated model", () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-federation-region-'));
  const model = join(dir, 'valle.yaml');
  writeFileSync(model, federatedModelText(hashSecret('demo')));
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ model, serverId: 'region' });
    token = await login(server.httpUrl, 'boss', 'demo');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs each council's top node as a leaf, shows the councils' nodes marked, and will not bind a device there", async () => {
    expect([...server.model.nodes.values()].map((n) => [n.path, n.children.length])).toEqual([
      ['valle', 3],
      ['valle/norte', 0],
      ['valle/sur', 0],
      ['valle/centro', 0],
    ]);
    // the planner's tree (issue 19 point 3): the whole tree, each node a council runs marked with its server
    const { body } = await getJson<ModelView>(server.httpUrl, '/api/model?values=false', token);
    expect(body.nodes.map((n) => [n.path, n.server ?? null])).toEqual([
      ['valle', null],
      ['valle/norte', 'norte'],
      ['valle/norte/lana', 'norte'],
      ['valle/norte/telar', 'norte'],
      ['valle/sur', 'sur'],
      ['valle/sur/cobre', 'sur'],
      ['valle/centro', null],
    ]);
    const provision = (node: string, id: string) =>
      fetch(`${server.httpUrl}/api/admin/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ id, node }),
      });
    expect((await provision('valle/norte', 'norte-9-plc')).status).toBe(404);
    expect((await provision('valle/centro', 'centro-9-plc')).status).toBe(201);
  });
});

describe('choosing the server at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-federation-choose-'));
  const model = join(dir, 'valle.yaml');
  writeFileSync(model, federatedModelText(hashSecret('demo')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const start = (serverId?: string) =>
    startOpsroom({
      host: '127.0.0.1',
      httpPort: 0,
      mqttPort: 0,
      dataDir: join(dir, 'data'),
      model,
      logger: false,
      ...(serverId === undefined ? {} : { serverId }),
    });

  it('refuses a model with several servers and no --server-id, listing the ids', async () => {
    await expect(start()).rejects.toThrow(
      new ConfigError(
        'the model defines 3 servers (region, norte, sur); say which this one is with --server-id ID (or OPSROOM_SERVER_ID)',
      ),
    );
  });

  it('refuses an unknown id', async () => {
    await expect(start('oeste')).rejects.toThrow(
      /the model has no server "oeste"; its servers are: region, norte, sur/,
    );
  });
});

describe('a reload that changes the federation layout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-federation-reload-'));
  const model = join(dir, 'valle.yaml');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the new tree at once, and says that the links keep their layout until a restart', async () => {
    writeFileSync(model, federatedModelText(hashSecret('demo')));
    const lines: string[] = [];
    const server = await startTestServer({
      model,
      serverId: 'region',
      logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } },
    });
    try {
      const warned = () => lines.filter((l) => l.includes("changes this server's place in the federation"));
      // sur leaves servers: the region runs valle/sur itself now
      writeFileSync(model, federatedModelText(hashSecret('demo'), linkedServers(hashSecret('demo'), ['norte'])));
      for (let i = 0; i < 100 && warned().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(warned()).toHaveLength(1);
      expect(JSON.parse(warned()[0]!)).toMatchObject({
        level: 40,
        running: 'parent none; top valle; children norte, sur; boundary valle/norte (norte), valle/sur (sur)',
        reloaded: 'parent none; top valle; children norte; boundary valle/norte (norte)',
      });
      // the tree in force followed the reload: the region runs valle/sur/cobre itself now
      const token = await login(server.httpUrl, 'boss', 'demo');
      const tree = await getJson<ModelView>(server.httpUrl, '/api/model?values=false', token);
      expect(tree.body.nodes.map((n) => n.path)).toContain('valle/sur/cobre');
    } finally {
      await server.stop();
    }
  }, 30_000);
});
