import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { RetentionPolicy, RetentionResult } from './retention.js';
import {
  DEFAULT_RETENTION_INTERVAL_MS,
  DEFAULT_RETENTION_POLICY,
  checkRetentionPolicy,
  scheduleRetention,
} from './retention.js';

const DAY = 86_400_000;

describe('checkRetentionPolicy', () => {
  it('accepts the default policy: raw 7 days, minutes 90 days, hours forever', () => {
    expect(DEFAULT_RETENTION_POLICY).toEqual({ rawMs: 7 * DAY, minuteMs: 90 * DAY });
    expect(() => checkRetentionPolicy(DEFAULT_RETENTION_POLICY)).not.toThrow();
    expect(() => checkRetentionPolicy({ rawMs: DAY, minuteMs: DAY, hourMs: DAY })).not.toThrow();
  });

  it.each([
    [{ rawMs: 0, minuteMs: DAY }, /rawMs must be a positive number/],
    [{ rawMs: Number.NaN, minuteMs: DAY }, /rawMs/],
    [{ rawMs: DAY, minuteMs: Infinity }, /minuteMs must be a positive/],
    [{ rawMs: 2 * DAY, minuteMs: DAY }, /minuteMs \(86400000\) must be at least rawMs/],
    [{ rawMs: DAY, minuteMs: 2 * DAY, hourMs: DAY }, /hourMs .* omit it to keep hours forever/],
    [null, /must be an object/],
  ] as [RetentionPolicy, RegExp][])('rejects %j, naming the field to fix', (policy, message) => {
    expect(() => checkRetentionPolicy(policy)).toThrow(message);
  });
});

describe('scheduleRetention', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  function fakeStore(impl?: () => Promise<RetentionResult>) {
    const calls: [RetentionPolicy, number][] = [];
    return {
      calls,
      applyRetention(policy: RetentionPolicy, now: number): Promise<RetentionResult> {
        calls.push([policy, now]);
        return impl ? impl() : Promise.resolve({ raw: 1, minute: 0, hour: 0 });
      },
    };
  }

  it('applies the policy at once and then every interval, with the injected clock', async () => {
    const store = fakeStore();
    let t = 1_000;
    const sched = scheduleRetention(store, { now: () => t, intervalMs: 60_000 });
    await flush();
    expect(store.calls).toEqual([[DEFAULT_RETENTION_POLICY, 1_000]]);
    t = 61_000;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(store.calls.map((c) => c[1])).toEqual([1_000, 61_000]);
    await sched.stop();
    await jest.advanceTimersByTimeAsync(600_000);
    expect(store.calls).toHaveLength(2);
  });

  it('never overlaps a slow pass and stop() waits for the pass in progress', async () => {
    let finish!: (r: RetentionResult) => void;
    const store = fakeStore(() => new Promise((resolve) => (finish = resolve)));
    const sched = scheduleRetention(store, { intervalMs: 1_000, now: () => 0 });
    await jest.advanceTimersByTimeAsync(5_000);
    expect(store.calls).toHaveLength(1);
    let stopped = false;
    const stopping = sched.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    finish({ raw: 0, minute: 0, hour: 0 });
    await stopping;
    expect(stopped).toBe(true);
  });

  it('logs a failed pass and tries again at the next interval', async () => {
    const warn = jest.fn();
    let fail = true;
    const store = fakeStore(() =>
      fail ? Promise.reject(new Error('disk full')) : Promise.resolve({ raw: 0, minute: 0, hour: 0 }),
    );
    const sched = scheduleRetention(store, {
      intervalMs: 1_000,
      now: () => 0,
      logger: { info() {}, warn, error() {}, debug() {} },
    });
    await flush();
    expect(warn).toHaveBeenCalledTimes(1);
    fail = false;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(store.calls).toHaveLength(2);
    expect(warn).toHaveBeenCalledTimes(1);
    await sched.stop();
  });

  it('refuses a bad policy or interval before starting', () => {
    const store = fakeStore();
    expect(() => scheduleRetention(store, { policy: { rawMs: 2, minuteMs: 1 } })).toThrow(/minuteMs/);
    expect(() => scheduleRetention(store, { intervalMs: 0 })).toThrow(/intervalMs/);
    expect(store.calls).toHaveLength(0);
    expect(DEFAULT_RETENTION_INTERVAL_MS).toBe(3_600_000);
  });
});
