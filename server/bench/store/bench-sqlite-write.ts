// Run by hand: node --import tsx server/bench/store/bench-sqlite-write.ts [batches] [series] [pointsPerSeries]
// How many points/s SqliteStore.writeBatch sustains with batches of time-ordered points across
// `series` series (default 1,000 batches of 1,000 points, one per series, ts advancing 1 s per
// batch; pointsPerSeries > 1 puts that many consecutive seconds of every series in each batch).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { StoredPoint } from '../../src/store/store.js';

const batches = Number(process.argv[2] ?? 1000);
const series = Number(process.argv[3] ?? 1000);
const perSeries = Number(process.argv[4] ?? 1);
const T0 = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'opsroom-bench-'));
const store = SqliteStore.open(dir);
const nodes = Array.from({ length: series }, (_, i) => `site/line-${i % 10}/cell-${i}`);
const devices = Array.from({ length: series }, (_, i) => `dev-${i}`);

let writeNs = 0n;
const t = process.hrtime.bigint();
for (let b = 0; b < batches; b++) {
  const batch: StoredPoint[] = [];
  for (let k = 0; k < perSeries; k++) {
    const ts = T0 + (b * perSeries + k) * 1000;
    for (let i = 0; i < series; i++)
      batch.push({ node: nodes[i]!, metric: 'output', deviceId: devices[i]!, ts, value: Math.sin(b + i + k) });
  }
  const s = process.hrtime.bigint();
  await store.writeBatch(batch);
  writeNs += process.hrtime.bigint() - s;
}
const wallS = Number(process.hrtime.bigint() - t) / 1e9;
const total = batches * series * perSeries;
console.log(
  `${total} points in ${batches} batches of ${series * perSeries} (${series} series): ${Math.round(total / (Number(writeNs) / 1e9))} points/s in writeBatch, ` +
    `${Math.round(total / wallS)} points/s wall (count ${await store.count()})`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
