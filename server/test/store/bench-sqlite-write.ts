// Run by hand: node --import tsx server/test/store/bench-sqlite-write.ts [batches] [series]
// How many points/s SqliteStore.writeBatch sustains with batches of 1,000 time-ordered points
// across 1,000 series (one point per series per batch, ts advancing 1 s per batch).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { StoredPoint } from '../../src/store/store.js';

const batches = Number(process.argv[2] ?? 1000);
const series = Number(process.argv[3] ?? 1000);
const T0 = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'opsroom-bench-'));
const store = SqliteStore.open(dir);
const nodes = Array.from({ length: series }, (_, i) => `site/line-${i % 10}/cell-${i}`);
const devices = Array.from({ length: series }, (_, i) => `dev-${i}`);

let writeNs = 0n;
const t = process.hrtime.bigint();
for (let b = 0; b < batches; b++) {
  const batch: StoredPoint[] = new Array(series);
  for (let i = 0; i < series; i++) batch[i] = { node: nodes[i]!, metric: 'output', deviceId: devices[i]!, ts: T0 + b * 1000, value: Math.sin(b + i) };
  const s = process.hrtime.bigint();
  await store.writeBatch(batch);
  writeNs += process.hrtime.bigint() - s;
}
const wallS = Number(process.hrtime.bigint() - t) / 1e9;
const total = batches * series;
console.log(
  `${total} points in ${batches} batches of ${series}: ${Math.round(total / (Number(writeNs) / 1e9))} points/s in writeBatch, ` +
    `${Math.round(total / wallS)} points/s wall (count ${await store.count()})`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
