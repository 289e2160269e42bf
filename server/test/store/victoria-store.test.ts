// VictoriaMetricsStore runs the store contract against a real VictoriaMetrics (Debian package),
// a fresh server per test (~0.1 s to start and stop), writes through the InfluxDB v2 write API
// and reads with MetricsQL. The contract's fixed data is from 2023, so the server keeps 100 years
// and latest() looks back from a clock set just after it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runStoreContract } from '../support/store-contract.js';
import type { StoredPoint } from '../../src/store/store.js';
import { VictoriaMetricsStore } from '../../src/store/victoria-store.js';
import { STORE_FLAGS, startVictoriaMetrics, victoriaMetricsBinary } from '../support/victoria-metrics.js';
import type { RunningVictoriaMetrics } from '../support/victoria-metrics.js';

const binary = victoriaMetricsBinary();
const T0 = 1_700_000_000_000;

if (binary) {
  runStoreContract('VictoriaMetricsStore', async () => {
    const vm = await startVictoriaMetrics(binary);
    const open = () => new VictoriaMetricsStore({ url: vm.url, flushBeforeRead: true, now: () => T0 + 1_800_000 });
    return {
      store: open(),
      reopen: async () => open(),
      cleanup: () => vm.stop(),
      limits: { duplicates: 'one-kept', deletes: false },
    };
  });
}

const d = binary ? describe : describe.skip;

d('VictoriaMetricsStore against a real VictoriaMetrics, beyond the contract', () => {
  let vm: RunningVictoriaMetrics;
  beforeAll(async () => {
    vm = await startVictoriaMetrics(binary!);
  }, 30_000);
  afterAll(async () => {
    await vm?.stop();
  });

  it('keeps names with quotes, backslashes, regex characters, spaces, commas and equals signs apart', async () => {
    const s = new VictoriaMetricsStore({ url: vm.url, flushBeforeRead: true, now: () => T0 + 60_000 });
    const odd = ['valle/norte lana,x=1', 'a"b\\c', 'a.b', 'a|b', 'a(b)*'];
    await s.writeBatch(
      odd.map((node, i) => ({ node, metric: 'water-l.m3', deviceId: `pump ${i}="x"`, ts: T0 + i, value: i })),
    );
    for (const [i, node] of odd.entries()) {
      expect(await s.query({ node, metric: 'water-l.m3', from: T0, to: T0 + 10 })).toEqual([{ ts: T0 + i, value: i }]);
      expect(
        await s.query({ node, metric: 'water-l.m3', from: T0, to: T0 + 10, windowMs: 10, aggregate: 'count' }),
      ).toEqual([{ ts: T0, value: 1 }]);
    }
    const latest = await s.latest(['a.b', 'a"b\\c']);
    expect(latest.map((p) => [p.node, p.metric, p.deviceId, p.ts]).sort()).toEqual([
      ['a"b\\c', 'water-l.m3', 'pump 1="x"', T0 + 1],
      ['a.b', 'water-l.m3', 'pump 2="x"', T0 + 2],
    ]);
    await s.close();
  });

  it('answers windows over more than one query_range (over 10,000 windows) and clipped ends exactly', async () => {
    const s = new VictoriaMetricsStore({ url: vm.url, flushBeforeRead: true });
    const points: StoredPoint[] = [];
    for (let i = 0; i < 25_000; i++)
      points.push({ node: 'many', metric: 'output', deviceId: 'd1', ts: T0 + i * 1000 + 500, value: i });
    await s.writeBatch(points);
    // 1 s windows from T0 + 0.7 s to T0 + 24,999.2 s: the first and last windows are clipped.
    const got = await s.query({
      node: 'many',
      metric: 'output',
      from: T0 + 700,
      to: T0 + 24_999_200,
      windowMs: 1000,
      aggregate: 'count',
    });
    expect(got).toHaveLength(24_998); // window T0 holds 500 (before from), window T0 + 24,999 s holds 24,999.5 s (after to)
    expect(got[0]).toEqual({ ts: T0 + 1000, value: 1 });
    expect(got.at(-1)).toEqual({ ts: T0 + 24_998_000, value: 1 });
    await s.close();
  });

  it('refuses to delete a time range and says where retention is set', async () => {
    const s = new VictoriaMetricsStore({ url: vm.url });
    await expect(s.deleteBefore(T0)).rejects.toThrow(/deletes whole series only.*-retentionPeriod/);
    await s.close();
  });

  it('warns in its health when the server lacks the flags it relies on', async () => {
    const plain = await startVictoriaMetrics(binary!, ['-retentionPeriod=1'], 15_000);
    try {
      const s = new VictoriaMetricsStore({ url: plain.url });
      await s.writeBatch([{ node: 'n', metric: 'm', deviceId: 'd', ts: Date.now(), value: 1 }]);
      await new Promise((r) => setTimeout(r, 200));
      expect(s.health().ok).toBe(true);
      expect(s.health().detail).toMatch(/dedup\.minScrapeInterval is not set.*latencyOffset is 30s/);
      expect(s.health().warnings).toEqual([
        expect.stringMatching(/dedup\.minScrapeInterval is not set.*recommended flags/),
        expect.stringMatching(/latencyOffset is 30s/),
      ]);
      await s.close();
    } finally {
      await plain.stop();
    }
  });

  it('speaks HTTP basic auth to a server started with -httpAuth.*: writes and reads with it, refused without', async () => {
    const password = 'p:w@d/#?%41 x'; // sent as written: no URL encoding
    const guarded = await startVictoriaMetrics(binary!, [
      ...STORE_FLAGS,
      '-httpAuth.username=opsroom',
      `-httpAuth.password=${password}`,
    ]);
    try {
      const point = { node: 'n', metric: 'm', deviceId: 'd', ts: T0, value: 7 };
      const s = new VictoriaMetricsStore({
        url: guarded.url,
        username: 'opsroom',
        password,
        flushBeforeRead: true,
        now: () => T0 + 60_000,
      });
      await s.writeBatch([point]);
      expect(await s.query({ node: 'n', metric: 'm', from: T0, to: T0 + 1 })).toEqual([{ ts: T0, value: 7 }]);
      await s.close();
      const anonymous = new VictoriaMetricsStore({ url: guarded.url, write: { maxRetryTimeMs: 0 } });
      await expect(anonymous.query({ node: 'n', metric: 'm', from: T0, to: T0 + 1 })).rejects.toThrow(/HTTP 401/);
      await expect(anonymous.writeBatch([point])).rejects.toThrow(/401/);
      await anonymous.close();
    } finally {
      await guarded.stop();
    }
    expect(() => new VictoriaMetricsStore({ url: 'http://127.0.0.1:9', username: 'a' })).toThrow(
      'needs both a user name and a password',
    );
  });

  it('fails a read with the server named when VictoriaMetrics is down', async () => {
    const s = new VictoriaMetricsStore({ url: 'http://127.0.0.1:9', readTimeoutMs: 2_000 });
    await expect(s.query({ node: 'n', metric: 'm', from: 0, to: 1 })).rejects.toThrow(
      /VictoriaMetrics read failed \(http:\/\/127\.0\.0\.1:9\/api\/v1\/export\)/,
    );
    await s.close();
  });
});
