import { describe, expect, it } from '@jest/globals';
import { toColumns, type ReadingBatch } from '@opsroom/models';
import type { TimeSeriesStore } from '../store/store.js';
import { WriteBatcher } from './write-batcher.js';

const batch = (n: number, t0 = 0): ReadingBatch => ({
  ...toColumns(Array.from({ length: n }, (_, i) => ({ metric: 'output', value: i, ts: t0 + i }))),
  deviceId: 'd',
  node: 'r/a/a1',
});

/** A store whose writes are recorded and settle only when the test says so. */
function recordingStore() {
  const writes: Array<{ batches: readonly ReadingBatch[]; settle: (err?: Error) => void }> = [];
  const store = {
    writeReadings: (batches: readonly ReadingBatch[]) =>
      new Promise<void>((resolve, reject) =>
        writes.push({ batches, settle: (err) => (err ? reject(err) : resolve()) }),
      ),
  } as unknown as TimeSeriesStore;
  return { store, writes };
}

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('WriteBatcher', () => {
  it('writes the batches of one event-loop turn in one store write and settles every caller when it is durable', async () => {
    const { store, writes } = recordingStore();
    const wb = new WriteBatcher(store);
    const settled: number[] = [];
    const a = wb.add(batch(3)).then(() => settled.push(1));
    const b = wb.add(batch(2, 10)).then(() => settled.push(2));
    expect(writes).toHaveLength(0); // nothing written before the turn ends
    await turn();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.batches.map((x) => x.length)).toEqual([3, 2]);
    expect(settled).toEqual([]); // not durable yet
    writes[0]!.settle();
    await Promise.all([a, b]);
    expect(settled).toEqual([1, 2]);
  });

  it('starts a write at once when the pending readings reach maxReadings', () => {
    const { store, writes } = recordingStore();
    const wb = new WriteBatcher(store, 5);
    void wb.add(batch(3));
    expect(writes).toHaveLength(0);
    void wb.add(batch(3, 10));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.batches).toHaveLength(2);
    void wb.add(batch(1, 20)); // a new group
    expect(writes).toHaveLength(1);
  });

  it('rejects every caller of a failed write and keeps working for the next one', async () => {
    const { store, writes } = recordingStore();
    const wb = new WriteBatcher(store);
    const a = wb.add(batch(1));
    const b = wb.add(batch(1, 5));
    await turn();
    writes[0]!.settle(new Error('disk full'));
    await expect(a).rejects.toThrow('disk full');
    await expect(b).rejects.toThrow('disk full');
    const c = wb.add(batch(1, 9));
    await turn();
    expect(writes).toHaveLength(2);
    writes[1]!.settle();
    await expect(c).resolves.toBeUndefined();
  });
});
