import { describe, it, expect, afterEach, afterAll, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reading } from '@opsroom/models';
import { readStatusFile, statusFilePath } from './health/status-file.js';
import { AgentConfigError } from './config/agent-config.js';
import { MemoryOutbox } from './outbox/memory-outbox.js';
import { startAgent, type RunningAgent } from './agent.js';
import type { Source } from './sources/source.js';

// No broker: port 1 refuses at once and the agent only buffers. Timers are fake, so sampling
// happens exactly when the test advances the clock.
const BASE = {
  deviceId: 'unit-1',
  secret: 's',
  brokerUrl: 'mqtt://127.0.0.1:1',
  sampleIntervalMs: 1000,
  reconnectPeriodMs: 3_600_000,
  flushTimeoutMs: 0,
};
const T0 = Date.UTC(2026, 10, 23, 12);

describe('startAgent', () => {
  let agent: RunningAgent | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    jest.useRealTimers();
  });

  it('refuses a bad configuration, naming the field', async () => {
    await expect(startAgent({ ...BASE, sampleIntervalMs: -5 })).rejects.toThrow(AgentConfigError);
    await expect(startAgent({ ...BASE, deviceId: 'no spaces' })).rejects.toThrow(/deviceId/);
  });

  it('samples the source on every interval into the outbox, stamped by the injected clock', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    let clock = T0;
    const outbox = new MemoryOutbox();
    agent = await startAgent(BASE, { outbox, now: () => clock });
    expect(outbox.depth()).toBe(0);
    for (let i = 0; i < 3; i++) {
      clock += 1000;
      jest.advanceTimersByTime(1000);
    }
    const { readings } = outbox.peek(100);
    expect(readings).toHaveLength(18); // 3 samples x the 6 demo metrics
    expect([...new Set(readings.map((r) => r.ts))]).toEqual([T0 + 1000, T0 + 2000, T0 + 3000]);
    expect(agent.stats()).toMatchObject({
      deviceId: 'unit-1',
      sampled: 18,
      queued: 18,
      published: 0,
      connected: false,
    });
  });

  it('injects a fault starting now when the fault names no time', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    let clock = T0;
    const outbox = new MemoryOutbox();
    agent = await startAgent(
      { ...BASE, source: { metrics: { m: { base: 10, noise: 0, daily: 0, weekly: 0 } } } },
      { outbox, now: () => clock },
    );
    clock += 1000;
    jest.advanceTimersByTime(1000);
    agent.injectFault('m', { kind: 'drift', slopePerHour: 3600 }); // +1 per second from now
    for (let i = 0; i < 2; i++) {
      clock += 1000;
      jest.advanceTimersByTime(1000);
    }
    expect(outbox.peek(10).readings.map((r) => r.value)).toEqual([10, 11, 12]);
    agent.clearFaults();
    clock += 1000;
    jest.advanceTimersByTime(1000);
    expect(outbox.peek(10).readings.map((r) => r.value)).toEqual([10, 11, 12, 10]);
    expect(() => agent!.injectFault('m', { kind: 'dropout' } as never)).toThrow(/durationMs/);
  });

  it('rejects and counts readings that are not finite instead of storing them', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    const source: Source = {
      id: 'odd',
      metrics: ['a'],
      sample: (now) => [
        { metric: 'a', value: Number.NaN, ts: now },
        { metric: 'a', value: 1, ts: now },
        { metric: 'bad id', value: 1, ts: now },
      ],
    };
    const outbox = new MemoryOutbox();
    agent = await startAgent(BASE, { source, outbox, now: () => T0 });
    jest.advanceTimersByTime(1000);
    expect(outbox.peek(10).readings).toEqual([{ metric: 'a', value: 1, ts: T0 }]);
    expect(agent.stats().rejected).toBe(2);
    expect(() => agent!.injectFault('a', { kind: 'spike', factor: 2 })).toThrow(/does not take injected faults/);
  });

  it('keeps sampling when the source throws once', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    let calls = 0;
    const source: Source = {
      id: 'flaky',
      metrics: ['a'],
      sample: (now) => {
        if (++calls === 1) throw new Error('sensor bus timeout');
        return [{ metric: 'a', value: calls, ts: now }];
      },
    };
    const outbox = new MemoryOutbox();
    agent = await startAgent(BASE, { source, outbox, now: () => T0 });
    jest.advanceTimersByTime(2000);
    expect(outbox.peek(10).readings.map((r) => r.value)).toEqual([2]);
  });

  it('keeps its last counters after stop', async () => {
    const outbox = new MemoryOutbox();
    agent = await startAgent({ ...BASE, sampleIntervalMs: 3_600_000 }, { outbox });
    await agent.stop();
    expect(agent.stats()).toMatchObject({ queued: 0, sampled: 0, connected: false });
    await agent.stop(); // idempotent
  });

  it('samples each source of the config on its own interval', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    const outbox = new MemoryOutbox();
    agent = await startAgent(
      {
        ...BASE,
        sources: [
          { kind: 'simulated', name: 'fast', metrics: { a: { base: 1 } } },
          { kind: 'simulated', name: 'slow', intervalMs: 3000, metrics: { b: { base: 2 } } },
        ],
      },
      { outbox, now: () => T0 },
    );
    jest.advanceTimersByTime(6000);
    const metrics = outbox.peek(100).readings.map((r) => r.metric);
    expect(metrics.filter((m) => m === 'a')).toHaveLength(6);
    expect(metrics.filter((m) => m === 'b')).toHaveLength(2);
    expect(agent.sourceStats().map((s) => [s.name, s.readings])).toEqual([
      ['fast', 6],
      ['slow', 2],
    ]);
  });

  it('never overlaps two samples of a slow asynchronous source, and counts its failures', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    const pending: Array<{ resolve: (r: Reading[]) => void; reject: (e: Error) => void }> = [];
    const source: Source = {
      id: 'slow',
      metrics: ['a'],
      sample: () => new Promise((resolve, reject) => pending.push({ resolve, reject })),
    };
    const outbox = new MemoryOutbox();
    agent = await startAgent(BASE, { source, outbox, now: () => T0 });
    jest.advanceTimersByTime(3000);
    expect(pending).toHaveLength(1); // the second and third ticks were skipped
    pending[0]!.resolve([{ metric: 'a', value: 1, ts: T0 }]);
    await Promise.resolve();
    expect(outbox.depth()).toBe(1);
    jest.advanceTimersByTime(1000);
    expect(pending).toHaveLength(2);
    pending[1]!.reject(new Error('device unreachable'));
    await Promise.resolve();
    await Promise.resolve();
    expect(agent.stats().sourceErrors).toBe(1);
    expect(agent.sourceStats()[0]).toMatchObject({
      readings: 1,
      errors: 1,
      lastError: 'device unreachable',
      skipped: 2,
    });
  });

  it('checkpoints a source only after its readings are in the outbox', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    const outbox = new MemoryOutbox();
    const depthAtCheckpoint: number[] = [];
    const source: Source = {
      id: 'pos',
      metrics: ['a'],
      sample: (now) => [{ metric: 'a', value: 1, ts: now }],
      checkpoint: () => depthAtCheckpoint.push(outbox.depth()),
    };
    agent = await startAgent(BASE, { source, outbox, now: () => T0 });
    jest.advanceTimersByTime(2000);
    expect(depthAtCheckpoint).toEqual([1, 2]);
  });

  it('writes its status file into the buffer directory, marked stopped after stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-agent-unit-'));
    dirs.push(dir);
    agent = await startAgent({ ...BASE, sampleIntervalMs: 3_600_000, statusIntervalMs: 100, bufferDir: dir });
    const file = statusFilePath(dir, 'unit-1');
    expect(readStatusFile(file)).toMatchObject({
      deviceId: 'unit-1',
      pid: process.pid,
      stopped: false,
      connected: false,
      queued: 0,
      brokerUrl: 'mqtt://127.0.0.1:1',
    });
    await agent.stop();
    expect(readStatusFile(file)).toMatchObject({
      stopped: true,
      sources: [{ name: 'simulated-0', id: 'simulated:unit-1', readings: 0, errors: 0 }],
    });
  });

  it('refuses a source that cannot be opened, naming it', async () => {
    await expect(
      startAgent({ ...BASE, sources: [{ kind: 'csv', name: 'replay', file: '/nonexistent/x.csv' }] }),
    ).rejects.toThrow(/sources\.replay: .*ENOENT/);
  });
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
