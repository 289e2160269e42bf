import { join } from 'node:path';
import { deviceTopic } from '@opsroom/models';
import { connectDevice } from './demo-fixture.js';
import { startOpsroom, type RunningOpsroom, type StartOptions } from '../../src/start.js';

/**
 * A region's server and norte's council server in this process (issue 19), on free loopback ports, norte linked up to
 * the region (to `region.linkUrl`: the region's embedded broker, or its federation listener with `--broker-url`).
 * `both` applies to both servers, `region` and `norte` to one. Data in `<dir>/region` and `<dir>/norte`.
 */
export async function startRegionAndNorte(o: {
  dir: string;
  model: string;
  /** norte's uplink secret (the model's servers[norte].secret_hash is its hash). */
  secret: string;
  both?: Partial<StartOptions>;
  region?: Partial<StartOptions>;
  norte?: Partial<StartOptions>;
}): Promise<{ region: RunningOpsroom; norte: RunningOpsroom }> {
  const base = { model: o.model, host: '127.0.0.1', httpPort: 0, mqttPort: 0, logger: false as const, ...o.both };
  const region = await startOpsroom({ ...base, serverId: 'region', dataDir: join(o.dir, 'region'), ...o.region });
  try {
    const norte = await startOpsroom({
      ...base,
      serverId: 'norte',
      dataDir: join(o.dir, 'norte'),
      uplinkUrl: region.linkUrl!,
      uplinkSecret: o.secret,
      ...o.norte,
    });
    return { region, norte };
  } catch (err) {
    await region.close();
    throw err;
  }
}

/**
 * Reads every 100 ms until `ok` holds or `ms` have passed, and resolves with the last read either way: the test
 * asserts on it, so a timeout fails with what was there.
 */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  let v = await read();
  for (const until = Date.now() + ms; !ok(v) && Date.now() < until; v = await read())
    await new Promise((r) => setTimeout(r, 100));
  return v;
}

/**
 * The drill-down tests' burst: lana-plc (valle/norte/lana, secret `demo`) publishes output 40, 41, 42, 43, 44, a second
 * apart and ending at `t0`, in one QoS 1 message to the broker at `mqttUrl`.
 */
export async function publishLanaBurst(mqttUrl: string, t0: number): Promise<void> {
  const plc = await connectDevice(mqttUrl, 'lana-plc', 'demo');
  const readings = Array.from({ length: 5 }, (_, i) => ({ metric: 'output', value: 40 + i, ts: t0 - 4000 + i * 1000 }));
  await plc.publishAsync(deviceTopic('lana-plc', 'readings'), JSON.stringify(readings), { qos: 1 });
  await plc.endAsync();
}
