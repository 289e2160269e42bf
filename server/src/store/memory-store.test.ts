import { describe, expect, it } from '@jest/globals';
import { MemoryStore } from './memory-store.js';
import { runStoreContract } from './store.contract.js';

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
});
