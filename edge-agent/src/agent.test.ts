import { describe, it, expect, afterEach, jest } from '@jest/globals';
import { AgentConfigError } from './config/agent-config.js';
import { MemoryOutbox } from './outbox/memory-outbox.js';
import { startAgent, type RunningAgent } from './agent.js';
import type { Source } from './sources/source.js';

// No broker: port 1 refuses at once and the agent only buffers. Timers are fake, so sampling
// happens exactly when the test advances the clock.
const BASE = { deviceId: 'unit-1', secret: 's', brokerUrl: 'mqtt://127.0.0.1:1', sampleIntervalMs: 1000, reconnectPeriodMs: 3_600_000, flushTimeoutMs: 0 };
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
    expect(agent.stats()).toMatchObject({ deviceId: 'unit-1', sampled: 18, queued: 18, published: 0, connected: false });
  });

  it('injects a fault starting now when the fault names no time', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    let clock = T0;
    const outbox = new MemoryOutbox();
    agent = await startAgent({ ...BASE, source: { metrics: { m: { base: 10, noise: 0, daily: 0, weekly: 0 } } } }, { outbox, now: () => clock });
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
    const source: Source = { id: 'odd', metrics: ['a'], sample: (now) => [{ metric: 'a', value: Number.NaN, ts: now }, { metric: 'a', value: 1, ts: now }, { metric: 'bad id', value: 1, ts: now }] };
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
});
