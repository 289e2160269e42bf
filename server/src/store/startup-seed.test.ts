import { describe, expect, it, jest } from '@jest/globals';
import { MemoryStore } from './memory-store.js';
import { latestAtStartup } from './startup-seed.js';
import type { TimeSeriesStore } from './store.js';

function logger() {
  return { info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() };
}

describe('latestAtStartup', () => {
  it('reads the latest points of a store that offers them', async () => {
    const store = new MemoryStore();
    await store.writeBatch([{ node: 'a', metric: 'm', deviceId: 'd', ts: 5, value: 1 }]);
    expect(await latestAtStartup(store, logger())).toEqual([
      { node: 'a', metric: 'm', deviceId: 'd', ts: 5, value: 1 },
    ]);
  });

  it('does not query a store that says latest() is not for start-up, and says so', async () => {
    const store = new MemoryStore();
    const latest = jest.spyOn(store, 'latest');
    Object.defineProperty(store, 'latestAtStartup', { value: false });
    const log = logger();
    expect(await latestAtStartup(store, log)).toEqual([]);
    expect(latest).not.toHaveBeenCalled();
    expect(log.info).toHaveBeenCalledTimes(1);
  });

  it("logs the store's warnings once", async () => {
    const store = new MemoryStore();
    const health = store.health();
    jest.spyOn(store, 'health').mockReturnValue({ ...health, warnings: ['set -dedup.minScrapeInterval=1ms'] });
    const log = logger();
    await latestAtStartup(store, log);
    expect(log.warn).toHaveBeenCalledWith({ store: 'memory' }, 'set -dedup.minScrapeInterval=1ms');
  });

  it('logs a failing read and carries on with nothing', async () => {
    const store = new MemoryStore();
    jest.spyOn(store as TimeSeriesStore, 'latest').mockRejectedValue(new Error('400 unsupported path "/api/v2/query"'));
    const log = logger();
    expect(await latestAtStartup(store, log)).toEqual([]);
    expect(log.warn).toHaveBeenCalledWith(
      expect.objectContaining({ store: 'memory' }),
      expect.stringMatching(/starting without them/),
    );
  });
});
