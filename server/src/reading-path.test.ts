import { describe, expect, it } from '@jest/globals';
import type { Alert, IndicatorUpdate, Model } from '@opsroom/models';
import { MemoryAlertRepository } from './alerts/alert-repository.js';
import { MemoryMaintenanceRepository } from './alerts/maintenance-repository.js';
import { MaintenanceWindows } from './alerts/maintenance-windows.js';
import { createServerMetrics } from './metrics/registry.js';
import { ModelHolder } from './model/model-holder.js';
import { composeReadingPath, type Outlets } from './reading-path.js';
import type { Realtime } from './realtime/socket-server.js';
import { StateWrites } from './state/state-writes.js';
import { MemoryStore } from './store/memory-store.js';
import { tinyModel } from '../test/support/tiny-model.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

function setup() {
  const clock = { t: Date.UTC(2026, 11, 5, 12) };
  const now = () => clock.t;
  const models = new ModelHolder(tinyModel());
  const store = new MemoryStore();
  const published: IndicatorUpdate[][] = [];
  const alerts: Array<[string, Alert]> = [];
  const sockets: Realtime = {
    publishUpdates: (u) => void published.push([...u]),
    publishStatuses: () => {},
    publishAlert: (event, a) => void alerts.push([event, a]),
    modelChanged: () => {},
    close: async () => {},
  };
  const outlets: Outlets = { sockets, devices: null };
  const metrics = createServerMetrics();
  const writes = new StateWrites({ now, logger: quiet, failures: metrics.stateSaveFailures });
  const path = composeReadingPath({
    model: models,
    store,
    config: { rollupPeriodMs: 60_000, liveFlushMs: 1000, escalationCheckMs: 1000 },
    now,
    log: quiet,
    metrics,
    alertState: {
      repo: new MemoryAlertRepository(),
      maintenance: new MaintenanceWindows({
        repo: new MemoryMaintenanceRepository(),
        now,
        model: () => models.current(),
        writes,
      }),
      notifier: { notify() {}, close: async () => {} },
      writes,
    },
    outlets,
  });
  const clock_ = (name: string) => path.clocks.find((c) => c.name === name)!;
  return { clock, models, store, published, alerts, path, tick: (name: string) => clock_(name).run() };
}

describe('composeReadingPath', () => {
  it('has its clocks in start order', () => {
    expect(setup().path.clocks.map((c) => c.name)).toEqual([
      'escalation',
      'silence watch',
      'live flush',
      'roll-up period',
    ]);
  });

  it('takes a reading through accept → validate → store → roll up → publish', async () => {
    const { path, store, published, tick, clock } = setup();
    await path.pipeline.accept('opsroom/v1/devices/a1-dev/readings', enc({ metric: 'output', value: 7, ts: clock.t }));
    const stored = await store.query({ node: 'r/a/a1', metric: 'output', from: clock.t - 1, to: clock.t + 1 });
    expect(stored.map((p) => p.value)).toEqual([7]);
    tick('live flush');
    const last = published.at(-1)!;
    expect(last.find((u) => u.node === 'r/a/a1')?.value).toBe(7);
    expect(last.find((u) => u.node === 'r')?.value).toBe(7);
  });

  it('rejects a malformed message without storing or publishing it', async () => {
    const { path, store, published, tick, clock } = setup();
    await path.pipeline.accept(
      'opsroom/v1/devices/a1-dev/readings',
      enc({ metric: 'output', value: 'seven', ts: clock.t }),
    );
    expect(await store.query({ node: 'r/a/a1', metric: 'output', from: 0, to: clock.t + 1 })).toEqual([]);
    tick('live flush');
    expect(published.flat().filter((u) => u.value !== null)).toEqual([]);
  });

  it("stores parents' roll-ups at the end of each period", async () => {
    const { path, store, tick, clock } = setup();
    await path.pipeline.accept('opsroom/v1/devices/a2-dev/readings', enc({ metric: 'output', value: 3, ts: clock.t }));
    clock.t += 30_000; // within its freshness (a series is missing after its interval plus a margin, at most a period)
    tick('roll-up period');
    await new Promise((r) => setImmediate(r));
    const rolled = await store.query({ node: 'r/a', metric: 'output', from: clock.t - 1, to: clock.t + 1 });
    expect(rolled.map((p) => p.value)).toEqual([3]);
  });

  it('follows a model reload: a node added by it rolls up, a device removed by it is refused', async () => {
    const { path, models, store, published, tick, clock } = setup();
    const base = tinyModel();
    const nodes = new Map(base.nodes);
    nodes.set('r/b/b2', { ...nodes.get('r/b/b1')!, path: 'r/b/b2', id: 'b2', name: 'B2' });
    nodes.set('r/b', { ...nodes.get('r/b')!, children: ['r/b/b1', 'r/b/b2'] });
    const devices = new Map(base.devices);
    devices.delete('a1-dev');
    devices.set('b2-dev', { id: 'b2-dev', node: 'r/b/b2', secretHash: 'scrypt$16384$8$1$x$y' });
    const next: Model = { ...base, nodes, devices };
    models.replace(next);
    await path.pipeline.accept('opsroom/v1/devices/b2-dev/readings', enc({ metric: 'output', value: 11, ts: clock.t }));
    await path.pipeline.accept('opsroom/v1/devices/a1-dev/readings', enc({ metric: 'output', value: 5, ts: clock.t }));
    expect(
      (await store.query({ node: 'r/b/b2', metric: 'output', from: 0, to: clock.t + 1 })).map((p) => p.value),
    ).toEqual([11]);
    expect(await store.query({ node: 'r/a/a1', metric: 'output', from: 0, to: clock.t + 1 })).toEqual([]);
    tick('live flush');
    expect(published.flat().find((u) => u.node === 'r/b/b2')?.value).toBe(11);
  });
});
