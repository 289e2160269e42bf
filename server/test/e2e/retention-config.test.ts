import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { startTestServer } from '../support/demo-fixture.js';

const HOUR = 3_600_000;
const ENV = ['OPSROOM_RETENTION_RAW', 'OPSROOM_RETENTION_MINUTE', 'OPSROOM_RETENTION_HOUR'] as const;

/**
 * Retention per tier is configuration: the server started with OPSROOM_RETENTION_* applies that
 * policy to the embedded store at start-up (and hourly after), each tier by its own age.
 */
describe('retention per tier from the configuration', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const k of ENV) delete process.env[k];
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('deletes raw readings, 1-minute and 1-hour roll-ups past the ages set in OPSROOM_RETENTION_*', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-retention-config-'));
    dirs.push(dataDir);
    const now = Date.now();
    const seed = SqliteStore.open(dataDir);
    const at = (hoursAgo: number) => ({
      node: 'valle/norte/lana/taller-1',
      metric: 'output',
      deviceId: 'taller-1-plc',
      ts: now - hoursAgo * HOUR,
      value: hoursAgo,
    });
    await seed.writeBatch([at(50), at(30), at(1)]);
    expect([await seed.count(), await seed.tierBuckets('minute'), await seed.tierBuckets('hour')]).toEqual([3, 3, 3]);
    await seed.close();

    Object.assign(process.env, {
      OPSROOM_RETENTION_RAW: '1d',
      OPSROOM_RETENTION_MINUTE: '36h',
      OPSROOM_RETENTION_HOUR: '2d',
    });
    const server = await startTestServer({ dataDir });
    expect(server.config.retention).toEqual({ rawMs: 24 * HOUR, minuteMs: 36 * HOUR, hourMs: 48 * HOUR });
    await server.stop(); // waits for the retention pass that start-up began

    const store = SqliteStore.open(dataDir);
    try {
      // raw: 1 d keeps only the reading of an hour ago; minute: 36 h keeps 30 h and 1 h; hour: 2 d drops only the 50 h one.
      expect([await store.count(), await store.tierBuckets('minute'), await store.tierBuckets('hour')]).toEqual([
        1, 2, 2,
      ]);
    } finally {
      await store.close();
    }
  });

  it('refuses to start with a bad retention, saying which setting and why', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-retention-config-'));
    dirs.push(dataDir);
    process.env.OPSROOM_RETENTION_RAW = '100d';
    await expect(startTestServer({ dataDir })).rejects.toThrow(
      'the default --retention-minute (90d) must be at least OPSROOM_RETENTION_RAW (100d)',
    );
    process.env.OPSROOM_RETENTION_RAW = '7 days';
    await expect(startTestServer({ dataDir })).rejects.toThrow(
      /OPSROOM_RETENTION_RAW must be a duration like 36h, 7d or 2w/,
    );
  });
});
