import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../src/config/config.js';
import { demoMetrics, runDemo, type RunningDemo } from '../../src/demo/run-demo.js';
import type { FaultRecord } from '../../src/demo/fault-schedule.js';
import { EXAMPLE_MODEL } from '../support/demo-fixture.js';

/**
 * `opsroom demo --faults-log FILE`: the real demo (server, embedded broker, 14 simulated agents
 * over TCP) with a fault about every 0.3 s, so that a few are logged within seconds.
 */
describe("the demo's faults log", () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-faults-log-'));
  let demo: RunningDemo | null = null;
  afterAll(async () => {
    await demo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends one JSON line per injected fault with its time, device, node, metric, kind, size, size in σ and duration', async () => {
    const file = join(dir, 'faults.jsonl');
    const config = resolveConfig(
      {},
      {},
      { host: '127.0.0.1', httpPort: 0, mqttPort: 0, dataDir: join(dir, 'data'), model: EXAMPLE_MODEL },
    );
    const said: string[] = [];
    const before = Date.now();
    demo = await runDemo(config, (l) => said.push(l), {
      faultEverySec: 0.3,
      firstFaultAfterSec: 0,
      faultsLog: file,
      logger: false,
    });
    const deadline = Date.now() + 15_000;
    let lines: string[];
    while (Date.now() < deadline) {
      lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      if (lines.length >= 8) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await demo.close();
    lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(said.filter((l) => l.startsWith('demo: injected a')).length).toBe(lines.length);
    expect(said.join('\n')).toContain(`Injected faults are logged to ${file}`);

    const model = demo.server!.model;
    for (const line of lines) {
      const f = JSON.parse(line) as FaultRecord;
      expect(Object.keys(f).sort()).toEqual([
        'at',
        'atMs',
        'device',
        'durationMs',
        'kind',
        'metric',
        'node',
        'size',
        'sizeSigma',
      ]);
      expect(f.atMs).toBeGreaterThanOrEqual(before);
      expect(f.atMs).toBeLessThanOrEqual(Date.now());
      expect(new Date(f.at).getTime()).toBe(f.atMs);
      expect(model.devices.get(f.device)?.node).toBe(f.node);
      expect(model.indicators.map((i) => i.id)).toContain(f.metric);
      const def = demoMetrics(model, f.node)[f.metric]!;
      switch (f.kind) {
        case 'step':
        case 'spike':
          expect(f.size).toBeGreaterThan(0);
          expect(f.sizeSigma).toBeCloseTo(f.size / def.noise, 1);
          expect(f.durationMs).toBe(f.kind === 'step' ? 90_000 : 0);
          break;
        case 'drift':
          expect(f.size).toBe(10); // +400 units/h for 90 s
          expect(f.sizeSigma).toBeCloseTo(10 / def.noise, 1);
          expect(f.durationMs).toBe(90_000);
          break;
        case 'flatline':
        case 'dropout':
          expect(f).toMatchObject({ size: 0, sizeSigma: null, durationMs: 90_000 });
          break;
        default:
          throw new Error(`unexpected kind ${String(f.kind)}`);
      }
    }
  }, 60_000);

  it('injects nothing with --fault-every 0', async () => {
    const file = join(dir, 'none.jsonl');
    const config = resolveConfig(
      {},
      {},
      { host: '127.0.0.1', httpPort: 0, mqttPort: 0, dataDir: join(dir, 'data-0'), model: EXAMPLE_MODEL },
    );
    const said: string[] = [];
    const quiet = await runDemo(config, (l) => said.push(l), { faultEverySec: 0, faultsLog: file, logger: false });
    await new Promise((r) => setTimeout(r, 1500));
    await quiet.close();
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(said.join('\n')).toContain('no faults injected');
  }, 60_000);
});
