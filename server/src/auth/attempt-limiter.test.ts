import { describe, expect, it } from '@jest/globals';
import { AttemptLimiter } from './attempt-limiter.js';

const rule = (key: string, max = 3, windowMs = 1000) => ({ key, max, windowMs });

describe('AttemptLimiter', () => {
  it('counts an attempt when it starts, so parallel attempts cannot pass the limit together', () => {
    const l = new AttemptLimiter({ now: () => 0 });
    const taken = Array.from({ length: 10 }, () => l.tryAcquire([rule('acct:boss')]));
    expect(taken.filter(Boolean)).toHaveLength(3);
    expect(l.lastRefusal).toEqual({ key: 'acct:boss', retryAfterMs: 1000 });
  });

  it('takes a slot on every key or on none', () => {
    const l = new AttemptLimiter({ now: () => 0 });
    expect(l.tryAcquire([rule('addr:a', 1)])).not.toBeNull();
    expect(l.tryAcquire([rule('acct:x'), rule('addr:a', 1)])).toBeNull();
    expect(l.count('acct:x')).toBe(0);
  });

  it('gives the slots back on success, forgets the reset keys, and keeps failures until the window ends', () => {
    const clock = { t: 0 };
    const l = new AttemptLimiter({ now: () => clock.t });
    l.tryAcquire([rule('pair'), rule('acct')])!.failed();
    l.tryAcquire([rule('pair'), rule('acct')])!.failed();
    l.tryAcquire([rule('pair'), rule('acct')])!.succeeded(['pair']);
    expect(l.count('pair')).toBe(0);
    expect(l.count('acct')).toBe(2);
    clock.t = 1000;
    expect(l.count('acct')).toBe(0);
  });

  it('stays bounded without forgetting blocked keys: spraying new keys evicts only keys below their limit', () => {
    const l = new AttemptLimiter({ now: () => 0, maxEntries: 100 });
    for (let i = 0; i < 3; i++) l.tryAcquire([rule('acct:victim')])!.failed();
    for (let i = 0; i < 10_000; i++) l.tryAcquire([rule(`acct:spray-${i}`)])?.failed();
    expect(l.size).toBeLessThanOrEqual(100);
    expect(l.tryAcquire([rule('acct:victim')])).toBeNull();
  });
});
