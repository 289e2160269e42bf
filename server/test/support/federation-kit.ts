import { join } from 'node:path';
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
