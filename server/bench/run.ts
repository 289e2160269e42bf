/**
 * `npm run bench`: the benchmark figures, each the median (min–max) of several runs, printed as a
 * table and written to bench-results.json. Raw broker throughput is measured in the same run, with
 * the same clients and payloads, and the pipeline's figures are given as ratios to it.
 */
import { writeFileSync } from 'node:fs';
import { benchAgentFootprint } from '../../edge-agent/bench/agent-footprint.js';
import { benchDetector, createDetector } from '../src/vsm/detectors/index.js';
import { fullPipeline, rawBroker } from './pipeline.js';
import { figure, repeat, type Figure } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const rows: Array<{ name: string; unit: string; figure: Figure; ratio?: number; target?: string; met?: boolean }> = [];
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(n >= 10 ? 1 : 2));
const log = (s: string) => process.stderr.write(s + '\n');

async function main() {
  log(`opsroom bench: ${RUNS} runs per figure (BENCH_RUNS to change)`);

  log('raw broker, single-reading messages, QoS 0…');
  const raw0 = await repeat(RUNS, () => rawBroker('single', 50_000, 0));
  rows.push({ name: 'raw broker (aedes, mqtt.js), single-reading msgs, QoS 0', unit: 'msg/s', figure: raw0 });
  log('raw broker, single-reading messages, QoS 1…');
  const raw1 = await repeat(RUNS, () => rawBroker('single', 30_000, 1));
  rows.push({ name: 'raw broker (aedes, mqtt.js), single-reading msgs, QoS 1', unit: 'msg/s', figure: raw1 });

  log('full pipeline, single-reading messages, QoS 0…');
  const p0 = await repeat(RUNS, () => fullPipeline('single', 30_000, 0));
  rows.push({ name: 'full pipeline, single-reading msgs, QoS 0', unit: 'readings/s', figure: p0, ratio: p0.median / raw0.median });
  log('full pipeline, single-reading messages, QoS 1…');
  const p1 = await repeat(RUNS, () => fullPipeline('single', 30_000, 1));
  rows.push({ name: 'full pipeline, single-reading msgs, QoS 1', unit: 'readings/s', figure: p1, ratio: p1.median / raw1.median, target: '≥ 80 % of raw QoS 1', met: p1.median >= 0.8 * raw1.median });
  log('full pipeline, JSON batches of 100, QoS 1…');
  const pj = await repeat(RUNS, () => fullPipeline('json100', 3_000, 1));
  rows.push({ name: 'full pipeline, JSON batches of 100, QoS 1', unit: 'readings/s', figure: pj, target: '≥ 1,000,000', met: pj.median >= 1_000_000 });
  log('full pipeline, line-protocol batches of 100, QoS 1…');
  const pl = await repeat(RUNS, () => fullPipeline('line100', 3_000, 1));
  rows.push({ name: 'full pipeline, line-protocol batches of 100, QoS 1', unit: 'readings/s', figure: pl, target: '≥ 1,000,000', met: pl.median >= 1_000_000 });

  log('detector…');
  const det = figure(Array.from({ length: RUNS }, () => benchDetector(200_000).microsPerUpdate));
  rows.push({ name: 'detector (Cyberstride ensemble over Harrison–Stevens) per reading', unit: 'µs', figure: det });

  // State per series: the detector snapshot's JSON size after a long series (what a checkpoint costs).
  const det1 = createDetector();
  for (let i = 0; i < 5000; i++) det1.update(100 + Math.sin(i / 10) * 5 + ((i * 7919) % 13) / 13, 1_700_000_000_000 + i * 60_000);
  rows.push({ name: 'detector state per series (snapshot JSON)', unit: 'B', figure: figure([JSON.stringify(det1.snapshot()).length]), target: '≤ 2,048', met: JSON.stringify(det1.snapshot()).length <= 2048 });

  log('edge agent footprint at 100 readings/s (20 s)…');
  const fp = await benchAgentFootprint();
  rows.push({ name: 'edge agent resident memory at 100 readings/s (via tsx)', unit: 'MB', figure: figure([fp.rssMb]), target: '≤ 60', met: fp.rssMb <= 60 });
  rows.push({ name: 'edge agent CPU at 100 readings/s', unit: '% of a core', figure: figure([fp.cpuPercent]), target: '≤ 2', met: fp.cpuPercent <= 2 });

  const table = [
    '| figure | median | min–max | unit | ratio to raw broker | target |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.figure.median)} | ${fmt(r.figure.min)}–${fmt(r.figure.max)} | ${r.unit} | ${r.ratio !== undefined ? (r.ratio * 100).toFixed(0) + ' %' : ''} | ${r.target ? `${r.target}: ${r.met ? 'met' : 'MISSED'}` : ''} |`,
    ),
  ].join('\n');
  process.stdout.write(table + '\n');
  writeFileSync('bench-results.json', JSON.stringify({ at: new Date().toISOString(), node: process.version, runs: RUNS, rows }, null, 2));
  log('written: bench-results.json');
}

await main();
process.exit(0);
