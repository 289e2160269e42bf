// InfluxStore's write path against a real server that speaks the InfluxDB v2 write API:
// VictoriaMetrics from the Debian package (InfluxDB 2 itself is not installable here).
// VictoriaMetrics ignores org, bucket and token and names each series `<measurement>_<field>{tags}`,
// so points come back through its export API as `output_value{node=...,device=...}`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InfluxStore } from '../../src/store/influx-store.js';
import type { StoredPoint } from '../../src/store/store.js';
import { startVictoriaMetrics, victoriaMetricsBinary } from '../support/victoria-metrics.js';
import type { RunningVictoriaMetrics } from '../support/victoria-metrics.js';

const vmBinary = victoriaMetricsBinary();
const d = vmBinary ? describe : describe.skip;

interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

d('InfluxStore writing to VictoriaMetrics through the InfluxDB v2 write API', () => {
  let vm: RunningVictoriaMetrics;
  let base: string;
  const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000; // recent: inside VictoriaMetrics' retention

  async function exported(match: string): Promise<ExportedSeries[]> {
    await vm.flush();
    const res = await fetch(`${base}/api/v1/export?match[]=${encodeURIComponent(match)}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as ExportedSeries);
  }

  function store(opts: Partial<ConstructorParameters<typeof InfluxStore>[0]> = {}): InfluxStore {
    return new InfluxStore({
      url: base,
      org: 'opsroom',
      bucket: 'opsroom',
      token: 'unused-by-victoriametrics',
      ...opts,
    });
  }

  beforeAll(async () => {
    vm = await startVictoriaMetrics(vmBinary!, ['-retentionPeriod=1y']);
    base = vm.url;
  }, 30_000);

  afterAll(async () => {
    await vm?.stop();
  }, 30_000);

  it('resolves writeBatch once every point is stored, as output_value{node, device}', async () => {
    const s = store();
    const points: StoredPoint[] = [];
    for (let i = 0; i < 3_000; i++)
      points.push({ node: `plant/n${i % 3}`, metric: 'output', deviceId: `d${i % 2}`, ts: T0 + i * 10, value: i / 4 });
    await s.writeBatch(points);
    const series = await exported('output_value{node="plant/n1"}');
    expect(series.map((x) => x.metric).sort((a, b) => (a.device! < b.device! ? -1 : 1))).toEqual([
      { __name__: 'output_value', node: 'plant/n1', device: 'd0' },
      { __name__: 'output_value', node: 'plant/n1', device: 'd1' },
    ]);
    const got = series
      .flatMap((x) => x.timestamps.map((ts, k) => [ts, x.values[k]!] as const))
      .sort((a, b) => a[0] - b[0]);
    const want = points.filter((p) => p.node === 'plant/n1').map((p) => [p.ts, p.value] as const);
    expect(got).toEqual(want);
    expect(s.health().ok).toBe(true);
    expect(s.health().detail).toContain('3000 points acknowledged');
    await s.close();
  });

  it('splits many concurrent writes into bounded requests and acknowledges every point', async () => {
    const s = store({ batchSize: 1_000, maxInFlight: 2 });
    const writes: Promise<void>[] = [];
    let total = 0;
    for (let w = 0; w < 20; w++) {
      const batch: StoredPoint[] = [];
      for (let i = 0; i < 1_500; i++) {
        batch.push({ node: 'bulk', metric: 'energy', deviceId: `d${w}`, ts: T0 + i * 1000, value: w * 10_000 + i });
        total++;
      }
      writes.push(s.writeBatch(batch));
    }
    await Promise.all(writes);
    expect(s.health().detail).toContain(`${total} points acknowledged`);
    expect(s.health().detail).toContain('buffer 0/');
    const series = await exported('energy_value{node="bulk"}');
    expect(series).toHaveLength(20);
    expect(series.reduce((n, x) => n + x.values.length, 0)).toBe(total);
    await s.close();
  });

  it('keeps node and device names with spaces, commas and equals signs intact', async () => {
    const s = store();
    await s.writeBatch([{ node: 'valle/norte lana,x=1', metric: 'water', deviceId: 'pump 3', ts: T0, value: 7 }]);
    const series = await exported('water_value');
    expect(series.map((x) => x.metric)).toEqual([
      { __name__: 'water_value', node: 'valle/norte lana,x=1', device: 'pump 3' },
    ]);
    expect(series[0]!.values).toEqual([7]);
    await s.close();
  });

  it('cannot query VictoriaMetrics with Flux and says so clearly', async () => {
    const s = store();
    await expect(s.query({ node: 'bulk', metric: 'energy', from: T0, to: T0 + 10_000 })).rejects.toThrow(
      /InfluxDB query failed/,
    );
    await s.close();
  });
});
