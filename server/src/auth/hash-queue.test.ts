import { describe, expect, it } from '@jest/globals';
import { HashQueue } from './hash-queue.js';

describe('HashQueue', () => {
  it('runs at most `concurrency` tasks at once, queues `maxQueued` more, and refuses the rest at once', async () => {
    const q = new HashQueue({ concurrency: 2, maxQueued: 3 });
    let running = 0;
    let peak = 0;
    const task = async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return 'ok';
    };
    const runs = Array.from({ length: 8 }, () => q.run(task));
    expect(runs.filter((r) => r === null)).toHaveLength(3);
    expect(q.load).toEqual({ running: 2, waiting: 3 });
    expect(await Promise.all(runs.filter((r) => r !== null))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(peak).toBe(2);
    expect(q.load).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot of a task that fails', async () => {
    const q = new HashQueue({ concurrency: 1, maxQueued: 0 });
    await expect(q.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(q.run(async () => 1)).resolves.toBe(1);
  });
});
