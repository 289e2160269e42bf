/**
 * `npm run bench`: the benchmark figures, each the median (min–max) of several runs, printed as a
 * table and written to bench-results.json. Raw broker throughput is measured in the same run, with
 * the same clients and payloads, and the pipeline's figures are given as ratios to it.
 */
import { writeFileSync } from 'node:fs';
import { benchAgentFootprint } from '../../edge-agent/bench/agent-footprint.js';
import { createDetector } from '../src/vsm/detectors/index.js';
import { benchDetector } from './detectors/bench.js';
import { benchHistoryQuery } from './store/bench-history.js';
import { findBinary } from '../test/support/require-binary.js';
import { startMosquitto } from '../test/support/mosquitto.js';
import { alertLatency, type AlertLatency } from './alert-latency.js';
import { runLayout, type LayoutResult } from './federation-load.js';
import { benchHistoryHttp } from './history-http.js';
import { describeMachine, machine } from './machine.js';
import { naiveSubscriber } from './naive-subscriber.js';
import { fullPipeline, lastCpuPerMessage, rawBroker, type PublisherPlace } from './pipeline.js';
import { seriesMemoryLive, seriesMemoryServer, type SeriesMemory } from './series-memory.js';
import { figure, repeat, type Figure } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/**
 * Where the Mosquitto rows' device runs, the same for the raw broker, the pipeline and the naive
 * baseline: `process` (default), an mqtt.js client in a process of its own, as devices are; or
 * `inline`, on the measuring process's event loop beside the raw subscriber or the server (the
 * layout of the figures before 2026-12-07).
 */
const DEVICE: PublisherPlace = process.env.BENCH_DEVICE === 'inline' ? 'inline' : 'process';
if (process.env.BENCH_DEVICE && process.env.BENCH_DEVICE !== 'inline' && process.env.BENCH_DEVICE !== 'process')
  throw new Error(`BENCH_DEVICE=${process.env.BENCH_DEVICE}: 'process' or 'inline'`);
const rows: Array<{
  name: string;
  unit: string;
  figure: Figure;
  ratio?: number;
  target?: string;
  met?: boolean;
  miss?: string;
}> = [];
const skipped: string[] = [];
const MACHINE = machine();

/** Runs `fn` `times` times, each against a fresh Mosquitto, and passes its URL. */
async function withMosquitto(binary: string, times: number, fn: (url: string) => Promise<number>): Promise<Figure> {
  return repeat(times, async () => {
    const mq = await startMosquitto(binary);
    try {
      return await fn(mq.url);
    } finally {
      await mq.stop();
    }
  });
}

/** Runs `fn` `times` times and keeps every result, for figures that read several fields of one run. */
async function runs<T>(times: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await fn());
  return out;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(n >= 10 ? 1 : 2));
const log = (s: string) => process.stderr.write(s + '\n');

/**
 * The same load through an external Mosquitto (the server with `brokerUrl`), beside the raw broker
 * in the same run, so users can pick a broker. Each run measures each raw broker figure (one
 * Mosquitto, warmed up first: its first thousands of messages run slower) and the same load
 * through the pipeline (a fresh Mosquitto each) back to back, raw first in even runs and pipeline
 * first in odd ones, so a pair sees the same load from whatever else runs on the machine; a row's
 * ratio is the median of its runs' ratios to that run's raw figure.
 * `BENCH_ONLY=mosquitto npm run bench` runs only these (about 2 minutes at 3 runs).
 */
async function mosquittoRows(): Promise<void> {
  const mosquitto = findBinary('mosquitto');
  if (!mosquitto) {
    skipped.push(
      'Mosquitto rows (raw broker and full pipeline through an external Mosquitto): SKIPPED, mosquitto not installed',
    );
    return;
  }
  log(
    `Mosquitto: raw broker, full pipeline (server with brokerUrl) and naive baseline, run by run; the device ${DEVICE === 'process' ? 'in a process of its own' : 'inline'} (BENCH_DEVICE)…`,
  );
  const keys = ['raw0', 'raw1', 'rawj', 'p0', 'p1', 'pj', 'pl', 'ej', 'n1', 'nj', 'cpuRaw1', 'cpuP1'] as const;
  const m = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<(typeof keys)[number], number[]>;
  const fresh = async (fn: (url: string) => Promise<number>) => (await withMosquitto(mosquitto, 1, fn)).median;
  for (let i = 0; i < RUNS; i++) {
    // Each raw figure and its pipeline figure are taken back to back (the raw broker's Mosquitto,
    // warmed up, stays up meanwhile; the pipeline gets a fresh one each time), in turn raw first
    // and pipeline first, so that a pair sees the same load from whatever else runs on the machine.
    const raw = await startMosquitto(mosquitto);
    try {
      await rawBroker('single', 10_000, 1, raw.url, DEVICE);
      const pair = async (rawFig: () => Promise<void>, pipeFig: () => Promise<void>) => {
        if (i % 2 === 0) {
          await rawFig();
          await pipeFig();
        } else {
          await pipeFig();
          await rawFig();
        }
      };
      await pair(
        async () => void m.raw0.push(await rawBroker('single', 50_000, 0, raw.url, DEVICE)),
        async () => void m.p0.push(await fresh((url) => fullPipeline('single', 30_000, 0, url, {}, DEVICE))),
      );
      await pair(
        async () => {
          m.raw1.push(await rawBroker('single', 30_000, 1, raw.url, DEVICE));
          m.cpuRaw1.push(lastCpuPerMessage);
        },
        async () => {
          m.p1.push(await fresh((url) => fullPipeline('single', 30_000, 1, url, {}, DEVICE)));
          m.cpuP1.push(lastCpuPerMessage);
        },
      );
      await pair(
        async () => void m.rawj.push(100 * (await rawBroker('json100', 10_000, 1, raw.url, DEVICE))),
        async () => void m.pj.push(await fresh((url) => fullPipeline('json100', 10_000, 1, url, {}, DEVICE))),
      );
    } finally {
      await raw.stop();
    }
    m.pl.push(await fresh((url) => fullPipeline('line100', 10_000, 1, url, {}, DEVICE)));
    // The pipeline's own ceiling in this run: the same load on the embedded broker (no second hop).
    m.ej.push(await fullPipeline('json100', 10_000, 1, undefined, {}, DEVICE));
    // The naive baseline: one mqtt.js client inserting each message into better-sqlite3 before its PUBACK.
    m.n1.push(await fresh((url) => naiveSubscriber('single', 30_000, url, DEVICE)));
    m.nj.push(await fresh((url) => naiveSubscriber('json100', 10_000, url, DEVICE)));
    log(
      `  run ${i + 1}: raw QoS 1 ${fmt(m.raw1[i]!)} msg/s (${fmt(m.cpuRaw1[i]!)} µs CPU per message in the subscriber's process), pipeline ${fmt(m.p1[i]!)} (${((100 * m.p1[i]!) / m.raw1[i]!).toFixed(0)} %; ${fmt(m.cpuP1[i]!)} µs in the server's); raw JSON×100 ${fmt(m.rawj[i]!)} readings/s, pipeline ${fmt(m.pj[i]!)}, line ${fmt(m.pl[i]!)}, embedded ${fmt(m.ej[i]!)}`,
    );
  }
  const ratio = (of: number[], to: number[]) => figure(of.map((x, i) => x / to[i]!)).median;
  const r1 = ratio(m.p1, m.raw1);
  rows.push({
    name: 'raw broker (Mosquitto, mqtt.js), single-reading msgs, QoS 0',
    unit: 'msg/s',
    figure: figure(m.raw0),
  });
  rows.push({
    name: 'raw broker (Mosquitto, mqtt.js), single-reading msgs, QoS 1',
    unit: 'msg/s',
    figure: figure(m.raw1),
  });
  rows.push({
    name: `  CPU per message in the measuring process (the raw subscriber${DEVICE === 'inline' ? ' and the device' : ''}), QoS 1`,
    unit: 'µs',
    figure: figure(m.cpuRaw1),
  });
  rows.push({
    name: 'raw broker (Mosquitto, mqtt.js), JSON batches of 100, QoS 1',
    unit: 'readings/s',
    figure: figure(m.rawj),
  });
  rows.push({
    name: 'full pipeline via Mosquitto, single-reading msgs, QoS 0',
    unit: 'readings/s',
    figure: figure(m.p0),
    ratio: ratio(m.p0, m.raw0),
  });
  rows.push({
    name: 'full pipeline via Mosquitto, single-reading msgs, QoS 1',
    unit: 'readings/s',
    figure: figure(m.p1),
    ratio: r1,
    target: '≥ 80 % of raw Mosquitto QoS 1',
    met: r1 >= 0.8,
  });
  rows.push({
    name: `  CPU per message in the measuring process (the server${DEVICE === 'inline' ? ' and the device' : ''}), QoS 1`,
    unit: 'µs',
    figure: figure(m.cpuP1),
  });
  const pj = figure(m.pj);
  rows.push({
    name: 'full pipeline via Mosquitto, JSON batches of 100, QoS 1',
    unit: 'readings/s',
    figure: pj,
    ratio: ratio(m.pj, m.rawj),
    target: '≥ 1,000,000',
    met: pj.median >= 1_000_000,
  });
  const pl = figure(m.pl);
  rows.push({
    name: 'full pipeline via Mosquitto, line-protocol batches of 100, QoS 1',
    unit: 'readings/s',
    figure: pl,
    target: '≥ 1,000,000',
    met: pl.median >= 1_000_000,
  });
  rows.push({
    name: "  beside it, the same JSON batches through the embedded broker (no second hop: the pipeline's own ceiling in these runs)",
    unit: 'readings/s',
    figure: figure(m.ej),
  });
  rows.push({
    name: 'naive baseline via Mosquitto (mqtt.js handleMessage → better-sqlite3 insert → PUBACK; no validation, roll-up or detection), single-reading msgs, QoS 1',
    unit: 'readings/s',
    figure: figure(m.n1),
    ratio: ratio(m.n1, m.raw1),
  });
  rows.push({
    name: 'naive baseline via Mosquitto, JSON batches of 100, QoS 1',
    unit: 'readings/s',
    figure: figure(m.nj),
    ratio: ratio(m.nj, m.rawj),
  });
}

function report(): void {
  const table = [
    `Machine: ${describeMachine(MACHINE)}; ${RUNS} runs per figure.`,
    '',
    '| figure | median | min–max | unit | ratio to raw broker | target |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.figure.median)} | ${fmt(r.figure.min)}–${fmt(r.figure.max)} | ${r.unit} | ${r.ratio !== undefined ? (r.ratio * 100).toFixed(0) + ' %' : ''} | ${r.target ? `${r.target}: ${r.met ? 'met' : `MISSED${r.miss ? ` (${r.miss})` : ''}`}` : ''} |`,
    ),
    ...skipped.map((s) => `\n${s}`),
  ].join('\n');
  process.stdout.write(table + '\n');
  writeFileSync(
    'bench-results.json',
    JSON.stringify(
      { at: new Date().toISOString(), node: process.version, machine: MACHINE, runs: RUNS, rows, skipped },
      null,
      2,
    ),
  );
  log('written: bench-results.json');
}

async function main() {
  log(`opsroom bench: ${RUNS} runs per figure (BENCH_RUNS to change) on ${describeMachine(MACHINE)}`);
  if (process.env.BENCH_ONLY === 'mosquitto') {
    await mosquittoRows();
    return report();
  }
  if (process.env.BENCH_ONLY) throw new Error(`BENCH_ONLY=${process.env.BENCH_ONLY}: only 'mosquitto' is known`);

  log('raw broker, single-reading messages, QoS 0…');
  const raw0 = await repeat(RUNS, () => rawBroker('single', 50_000, 0));
  rows.push({ name: 'raw broker (aedes, mqtt.js), single-reading msgs, QoS 0', unit: 'msg/s', figure: raw0 });
  log('raw broker, single-reading messages, QoS 1…');
  const raw1 = await repeat(RUNS, () => rawBroker('single', 30_000, 1));
  rows.push({ name: 'raw broker (aedes, mqtt.js), single-reading msgs, QoS 1', unit: 'msg/s', figure: raw1 });

  log('full pipeline, single-reading messages, QoS 0…');
  const p0 = await repeat(RUNS, () => fullPipeline('single', 30_000, 0));
  rows.push({
    name: 'full pipeline, single-reading msgs, QoS 0',
    unit: 'readings/s',
    figure: p0,
    ratio: p0.median / raw0.median,
  });
  log('full pipeline, single-reading messages, QoS 1…');
  const p1 = await repeat(RUNS, () => fullPipeline('single', 30_000, 1));
  rows.push({
    name: 'full pipeline, single-reading msgs, QoS 1',
    unit: 'readings/s',
    figure: p1,
    ratio: p1.median / raw1.median,
    target: '≥ 80 % of raw QoS 1',
    met: p1.median >= 0.8 * raw1.median,
  });
  log('full pipeline, JSON batches of 100, QoS 1…');
  const pj = await repeat(RUNS, () => fullPipeline('json100', 10_000, 1));
  rows.push({
    name: 'full pipeline, JSON batches of 100, QoS 1',
    unit: 'readings/s',
    figure: pj,
    target: '≥ 1,000,000',
    met: pj.median >= 1_000_000,
  });
  log('full pipeline, line-protocol batches of 100, QoS 1…');
  const pl = await repeat(RUNS, () => fullPipeline('line100', 10_000, 1));
  rows.push({
    name: 'full pipeline, line-protocol batches of 100, QoS 1',
    unit: 'readings/s',
    figure: pl,
    target: '≥ 1,000,000',
    met: pl.median >= 1_000_000,
  });

  // The same with the embedded store's writes in a worker thread (--store-writer thread), so users can choose.
  log('full pipeline with --store-writer thread: single readings QoS 1, JSON batches of 100…');
  const t1 = await repeat(RUNS, () => fullPipeline('single', 30_000, 1, undefined, { storeWriter: 'thread' }));
  rows.push({
    name: 'same, store writes in a worker thread (--store-writer thread), single-reading msgs, QoS 1',
    unit: 'readings/s',
    figure: t1,
    ratio: t1.median / raw1.median,
  });
  const tj = await repeat(RUNS, () => fullPipeline('json100', 10_000, 1, undefined, { storeWriter: 'thread' }));
  rows.push({
    name: 'same, store writes in a worker thread, JSON batches of 100, QoS 1',
    unit: 'readings/s',
    figure: tj,
  });

  // Alert latency with the pipeline at 80 % of its single-reading QoS 1 throughput measured above.
  const loadRate = Math.round(0.8 * p1.median);
  log(`alert latency under ${loadRate.toLocaleString('en')} readings/s background load (80 % of QoS 1 throughput)…`);
  const al: AlertLatency[] = await runs(RUNS, () => alertLatency(loadRate));
  const p99 = figure(al.map((a) => a.p99));
  rows.push({
    name: `alert latency p50, publish → alert:raised at a socket.io client, under load (${al[0]!.probes} probes/run)`,
    unit: 'ms',
    figure: figure(al.map((a) => a.p50)),
  });
  rows.push({
    name: 'alert latency p99, same',
    unit: 'ms',
    figure: p99,
    target: '< 250',
    met: p99.median < 250,
    miss: `${(p99.median / 250).toFixed(1)}× the target`,
  });
  rows.push({
    name: `background load achieved during the alert probes (asked: ${loadRate.toLocaleString('en')}/s = 80 % of the full-pipeline QoS 1 row)`,
    unit: 'readings/s',
    figure: figure(al.map((a) => a.loadAchieved)),
    ratio: figure(al.map((a) => a.loadAchieved)).median / raw1.median,
  });
  const lost = al.reduce((n, a) => n + a.probes - a.measured, 0);
  if (lost) log(`  ${lost} probes got no alert within 5 s (left out of the percentiles)`);

  // Issue 19 point 6: 10,000 devices at one reading a second, one server vs two councils and a region.
  // The devices are lean MQTT 3.1.1 sockets (federation-load.ts rawDevice): the same packets as mqtt.js at a fraction
  // of its CPU, which on two cores the generators would otherwise take from the servers they measure.
  log('10,000 devices at 1 reading/s: one server, then two council servers + a region (about 80 s each)…');
  const layouts: Array<[LayoutResult, LayoutResult]> = await runs(RUNS, async () => [
    await runLayout('single', 10_000, 30, 'raw'),
    await runLayout('federated', 10_000, 30, 'raw'),
  ]);
  const singleP99 = figure(layouts.map(([one]) => one.p99));
  const fedP99 = figure(layouts.map(([, fed]) => fed.p99));
  rows.push({
    name: '10,000 devices at 1 reading/s, QoS 1, one connection each: PUBACK p99, one server for the whole tree',
    unit: 'ms',
    figure: singleP99,
  });
  rows.push({
    name: 'same, two council servers (5,000 devices each) + a region server, each a process (issue 19)',
    unit: 'ms',
    figure: fedP99,
    target: '< 100',
    met: fedP99.median < 100,
    miss: `${(fedP99.median / 100).toFixed(1)}× the target`,
  });

  // Memory per active series at 100,000 series (child processes, after full GCs).
  const KIB = 1024;
  const memRow = (name: string, ms: SeriesMemory[], pick: (m: SeriesMemory) => number, target = false) => {
    const f = figure(ms.map(pick));
    rows.push({
      name,
      unit: 'B/series',
      figure: f,
      ...(target
        ? { target: '≤ 1,024', met: f.median <= KIB, miss: `${(f.median / KIB).toFixed(1)}× the target` }
        : {}),
    });
    return f;
  };
  log('memory per series, LiveModel alone with real and with stub detectors (100,002 series)…');
  const liveReal = await runs(RUNS, () => seriesMemoryLive('real'));
  const liveStub = await runs(RUNS, () => seriesMemoryLive('stub'));

  const mosquitto = findBinary('mosquitto');
  if (mosquitto) {
    log('memory per series, whole server reading Mosquitto (100,002 series)…');
    const srv = await runs(RUNS, async () => {
      const mq = await startMosquitto(mosquitto);
      try {
        return await seriesMemoryServer(mq.url);
      } finally {
        await mq.stop();
      }
    });
    memRow(
      'resident memory per active series at 100,002 series, whole server (RSS delta / series)',
      srv,
      (m) => m.rssPerSeries,
      true,
    );
    memRow('  same, marginal (RSS slope from 10 % to 100 % of the series)', srv, (m) => m.rssMarginal);
    memRow('  same, JS heap per series', srv, (m) => m.heapPerSeries);
    const rest = figure(srv.map((m, i) => m.rssPerSeries - (liveReal[i] ?? liveReal[0]!).rssPerSeries));
    rows.push({
      name: '  of which outside the LiveModel (store caches, SQLite, ingest, alerts = whole server − LiveModel with detectors; ±500 B is RSS noise)',
      unit: 'B/series',
      figure: rest,
    });
  } else {
    skipped.push(
      'resident memory per series, whole server: SKIPPED, mosquitto not installed (the bench publishes for 16,667 devices through it)',
    );
  }
  memRow('  LiveModel with detectors per series (RSS)', liveReal, (m) => m.rssPerSeries, !mosquitto);
  const detShare = figure(liveReal.map((m, i) => m.rssPerSeries - (liveStub[i] ?? liveStub[0]!).rssPerSeries));
  rows.push({
    name: '    of which the detector (LiveModel real − stub detectors)',
    unit: 'B/series',
    figure: detShare,
  });
  memRow(
    '    of which the live cell and series entry (LiveModel with a shared stub detector)',
    liveStub,
    (m) => m.rssPerSeries,
  );

  await mosquittoRows();

  log('detector…');
  log('history query, a week of one-minute data…');
  const hq = await benchHistoryQuery();
  rows.push({
    name: `history query, a week of one-minute data (${hq.points.toLocaleString('en')} points; slowest of raw / 1 min / 1 h windows)`,
    unit: 'ms',
    figure: figure([hq.ms]),
    target: '< 50',
    met: hq.ms < 50,
  });

  // Issue 18 point 3: /api/history over HTTP, a year of one-minute data, the chart's spans (auto resolution).
  log('history over HTTP, a year of one-minute data of one series (embedded store)…');
  const hh = await runs(RUNS, () => benchHistoryHttp({ runs: 5, parent: true }));
  for (const [i, span] of hh[0]!.spans.entries()) {
    log(
      `  ${span.name}: ${span.points} points, step ${span.stepMs === null ? 'raw' : `${span.stepMs / 60_000} min`} from ${span.source}; medians ${hh.map((r) => r.spans[i]!.ms.toFixed(1)).join(' / ')} ms`,
    );
  }
  const hhMs = figure(hh.map((r) => r.ms));
  rows.push({
    name: 'history over HTTP (loopback), one series, a year of one-minute data, slowest of 1 h / 1 day / 1 week / 30 / 90 days / 1 year (≤ 2,000 points each)',
    unit: 'ms',
    figure: hhMs,
    target: '< 50',
    met: hhMs.median < 50,
  });
  const hhLoop = figure(hh.map((r) => r.loopMaxCpuMs));
  rows.push({
    name: "  longest hold of the server's event loop while 4 year-range requests run at once (CPU time in the server process)",
    unit: 'ms',
    figure: hhLoop,
    target: '≤ 10',
    met: hhLoop.median <= 10,
  });
  rows.push({
    name: '  same in wall time (includes time the OS gave other processes on these shared cores)',
    unit: 'ms',
    figure: figure(hh.map((r) => r.loopMaxWallMs)),
  });
  rows.push({
    name: "  a parent's history over the year, computed from its two leaves' stored years",
    unit: 'ms',
    figure: figure(hh.map((r) => r.parentYearMs ?? NaN)),
  });

  const det = figure(Array.from({ length: RUNS }, () => benchDetector(200_000).microsPerUpdate));
  rows.push({
    name: 'detector (Cyberstride ensemble over Harrison–Stevens) per reading (wall time; this machine moves it by up to 2×)',
    unit: 'µs',
    figure: det,
    target: '≤ 5',
    met: det.median <= 5,
  });

  // State per series: the detector snapshot's JSON size after a long series (what a checkpoint costs).
  const det1 = createDetector();
  for (let i = 0; i < 5000; i++)
    det1.update(100 + Math.sin(i / 10) * 5 + ((i * 7919) % 13) / 13, 1_700_000_000_000 + i * 60_000);
  rows.push({
    name: 'detector state per series (snapshot JSON)',
    unit: 'B',
    figure: figure([JSON.stringify(det1.snapshot()).length]),
    target: '≤ 2,048',
    met: JSON.stringify(det1.snapshot()).length <= 2048,
  });

  log('edge agent footprint at 100 readings/s (20 s)…');
  const fp = await benchAgentFootprint();
  rows.push({
    name: `edge agent resident memory at 100 readings/s, ${fp.label}`,
    unit: 'MB',
    figure: figure([fp.rssMb]),
    target: '≤ 60',
    met: fp.rssMb <= 60,
  });
  rows.push({
    name: 'edge agent CPU at 100 readings/s',
    unit: '% of a core',
    figure: figure([fp.cpuPercent]),
    target: '≤ 2',
    met: fp.cpuPercent <= 2,
  });

  report();
}

await main();
process.exit(0);
