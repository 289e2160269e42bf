import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { parseModel } from '../model/load-model.js';
import { silentLogger } from '../log/logger.js';
import { openStateDatabase, type OpenedState } from '../state/state-db.js';
import { MemoryStore } from '../store/memory-store.js';
import { FederationState } from './federation-state.js';
import { RollupUplink, type RollupBody } from './rollup-uplink.js';

const MODEL = [
  'name: T',
  'levels: [council, workshop]',
  'indicators:',
  '  - { id: output, unit: u, rollup: sum }',
  'nodes:',
  '  - id: norte',
  '    children: [{ id: lana }, { id: telar }]',
].join('\n');

const P = 1000;

describe('roll-ups sent up to the parent server (issue 19 point 2)', () => {
  let dir: string;
  let opened: OpenedState;
  let fed: FederationState;
  let store: MemoryStore;
  const clock = { t: 0 };
  const model = parseModel(MODEL, 'm.yaml').model!;
  const uplink = () =>
    new RollupUplink({
      state: fed,
      store,
      model: () => model,
      parent: 'region',
      top: 'norte',
      periodMs: P,
      settleMs: 2 * P,
      now: () => clock.t,
      logger: silentLogger,
    });
  const bodies = () => fed.pending('region').map((r) => r.body as RollupBody);
  const periods = () => bodies().flatMap((b) => b.values.output ?? []);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-rollup-up-'));
    opened = openStateDatabase(dir);
    fed = new FederationState(opened.db, () => clock.t);
    store = new MemoryStore();
    clock.t = 100_000;
  });
  afterEach(() => {
    opened.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const reading = (node: string, ts: number, value: number, deviceId = `${node}-plc`) =>
    store.writeBatch([{ node: `norte/${node}`, metric: 'output', deviceId, ts, value }]);

  it('sends each settled period once, as the roll-up rule of the stored readings, from where it started', async () => {
    const u = uplink();
    expect(await u.tick()).toBe(0); // nothing settled yet: the cursor starts at the period under way
    for (let t = 100_000; t < 106_000; t += 250) {
      await reading('lana', t, 2);
      await reading('telar', t, 3);
    }
    clock.t = 106_100; // periods 100..103 s have settled (2 s delay)
    expect(await u.tick()).toBe(4);
    expect(periods()).toEqual([
      [100_000, 5],
      [101_000, 5],
      [102_000, 5],
      [103_000, 5],
    ]);
    expect(await u.tick()).toBe(0); // nothing new
    clock.t = 107_100;
    expect(await u.tick()).toBe(1);
    expect(periods().map(([ts]) => ts)).toEqual([100_000, 101_000, 102_000, 103_000, 104_000]);
  });

  it('continues from its cursor after a restart, waiting one settle delay for what agents kept meanwhile', async () => {
    const first = uplink();
    await first.tick();
    clock.t = 103_100;
    await first.tick(); // period 100 s (no readings: sent as having none)
    expect(bodies().map((b) => [b.from, b.to])).toEqual([[100_000, 101_000]]);
    // "down" from 103.1 s to 120 s; the agents send their kept readings just after the restart
    clock.t = 120_000;
    const restarted = uplink();
    expect(await restarted.tick()).toBe(0); // within the settle delay after the restart
    for (let t = 101_000; t < 119_000; t += 500) await reading('lana', t, 1);
    clock.t = 122_100;
    expect(await restarted.tick()).toBe(19); // 101 s .. 119 s
    const sent = periods();
    expect(sent.map(([ts]) => ts)).toEqual(Array.from({ length: 18 }, (_, i) => 101_000 + i * 1000));
    expect(sent.every(([, v]) => v === 1)).toBe(true);
    const covered = bodies().map((b) => [b.from, b.to]);
    expect(covered[0]).toEqual([100_000, 101_000]);
    expect(covered.at(-1)![1]).toBe(120_000);
  });

  it('queues nothing and keeps the cursor when the queueing transaction fails', async () => {
    const u = uplink();
    await u.tick();
    await reading('lana', 100_500, 1);
    clock.t = 104_000;
    opened.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON fed_outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    await expect(u.tick()).rejects.toMatchObject({
      message: expect.stringContaining('disk full') as unknown as string,
    });
    expect(fed.cursor('rollup:norte')).toBe(100_000);
    opened.db.exec('DROP TRIGGER refuse');
    expect(await u.tick()).toBe(2);
    expect(periods()).toEqual([[100_000, 1]]);
  });
});
