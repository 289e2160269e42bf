import { describe, expect, it } from '@jest/globals';
import { MemoryStore } from './memory-store.js';
import { runStoreContract } from '../../test/support/store-contract.js';

runStoreContract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));

describe('MemoryStore', () => {
  it('skips and counts a malformed point while storing the rest of the batch', async () => {
    const store = new MemoryStore();
    await store.writeBatch([
      { node: 'a', metric: 'm', deviceId: 'd', ts: 1, value: 1 },
      { node: 'a', metric: 'm', deviceId: 'd', ts: 2, value: Number.NaN },
      { node: 'a', metric: 'm', deviceId: 'd', ts: 3, value: 3 },
    ]);
    expect(store.rejectedPoints).toBe(1);
    expect(await store.count()).toBe(2);
  });

  it('gives the event loop turns while it reads a long range, and answers the same', async () => {
    const store = new MemoryStore();
    const n = 200_000;
    for (let i = 0; i < n; i += 20_000) {
      await store.writeBatch(
        Array.from({ length: 20_000 }, (_, k) => ({
          node: 'a',
          metric: 'm',
          deviceId: k % 2 ? 'd1' : 'd2',
          ts: (i + k) * 1_000,
          value: i + k,
        })),
      );
    }
    let turns = 0;
    let timer: NodeJS.Timeout;
    const tick = (): void => {
      turns++;
      timer = setTimeout(tick, 0);
    };
    timer = setTimeout(tick, 0);
    const raw = await store.query({ node: 'a', metric: 'm', from: 0, to: n * 1_000 });
    const minutes = await store.query({
      node: 'a',
      metric: 'm',
      from: 0,
      to: n * 1_000,
      windowMs: 60_000,
      aggregate: 'count',
    });
    clearTimeout(timer!);
    expect(raw).toHaveLength(n);
    expect(raw.every((p, i) => p.ts === i * 1_000 && p.value === i)).toBe(true);
    expect(minutes.reduce((s, p) => s + p.value, 0)).toBe(n);
    expect(minutes[0]).toEqual({ ts: 0, value: 60 });
    expect(turns).toBeGreaterThan(0);
  }, 30_000); // 200,000 readings: past jest's default 5 s on a loaded two-core machine (a CI run of 2026-12-07)
});
