import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { hashSecret } from '../../src/auth/hash.js';
import type { RunningOpsroom } from '../../src/start.js';
import { connectDevice, getJson, login } from '../support/demo-fixture.js';
import { startRegionAndNorte } from '../support/federation-kit.js';
import { federatedModelText, linkedServers } from '../support/federated-model.js';
import { startMosquitto, type RunningMosquitto } from '../support/mosquitto.js';
import { findBinary } from '../support/require-binary.js';

const mosquittoBin = findBinary('mosquitto');
const d = mosquittoBin ? describe : describe.skip;

/**
 * Issue 19 with the real stack: a region whose devices use an external broker (Mosquitto) takes its councils' links
 * on a listener of its own (--federation-port), where devices cannot log in.
 */
d('a region on an external broker takes its councils on its own listener', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-link-listener-'));
  const model = join(dir, 'valle.yaml');
  const hash = hashSecret('demo');
  writeFileSync(model, federatedModelText(hash, linkedServers(hashSecret('link-secret'), ['norte'])));

  let broker: RunningMosquitto;
  let region: RunningOpsroom;
  let norte: RunningOpsroom;

  beforeAll(async () => {
    broker = await startMosquitto(mosquittoBin!);
    ({ region, norte } = await startRegionAndNorte({
      dir,
      model,
      secret: 'link-secret',
      both: { rollupPeriodMs: 500, uplinkSettleMs: 500 },
      region: { brokerUrl: broker.url, federationPort: 0 },
    }));
  }, 30_000);
  afterAll(async () => {
    await norte?.close();
    await region?.close();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("listens apart from the devices' broker, and the council's roll-ups and drill-down reach the region", async () => {
    expect(region.linkUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(region.linkUrl).not.toBe(broker.url);
    const plc = await connectDevice(norte.mqttUrl, 'lana-plc', 'demo');
    const t = Date.now();
    await plc.publishAsync(deviceTopic('lana-plc', 'readings'), JSON.stringify({ metric: 'output', value: 7, ts: t }), {
      qos: 1,
    });
    await plc.endAsync();
    const boss = await login(region.httpUrl, 'boss', 'demo');
    let history = { points: [] as Array<{ ts: number; value: number }> };
    for (const until = Date.now() + 15_000; history.points.length === 0 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 200));
      history = (
        await getJson<typeof history>(
          region.httpUrl,
          `/api/history?node=valle/norte&indicator=output&from=${t - 60_000}&to=${Date.now()}&windowMs=1000`,
          boss,
        )
      ).body;
    }
    expect(history.points.map((p) => p.value)).toEqual([7]);
    // the council's own live view of its workshop (stale by now: its one reading is older than the period)
    const latest = await getJson<Array<{ node: string; ts: number }>>(
      region.httpUrl,
      '/api/latest?node=valle/norte/lana',
      boss,
    );
    expect(latest.body.map((u) => [u.node, u.ts])).toEqual([['valle/norte/lana', t]]);
  });

  it('refuses a device on the link listener', async () => {
    const err = await mqtt
      .connectAsync(region.linkUrl!, { username: 'lana-plc', password: 'demo', reconnectPeriod: 0 })
      .then(
        async (c) => {
          await c.endAsync();
          return null;
        },
        (e: Error) => e,
      );
    expect(err?.message).toMatch(/Not authorized|Bad username or password/i);
  });
});
