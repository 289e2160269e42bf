/**
 * Resident memory per active series at 100,000 series. A generated model (2,000 workshops, 16,667
 * devices, the demo's 6 indicators → 100,002 (node, indicator, device) series) is loaded by a child
 * process run with --expose-gc; every figure is process.memoryUsage() after three full GCs.
 *
 * - `seriesMemoryServer`: the whole server (startOpsroom, embedded SQLite store) reading an external
 *   Mosquitto, so one bench client can publish for every device (the server attributes readings by
 *   topic; 16,667 device logins to the embedded broker would take minutes of scrypt). Each device
 *   sends one message with `perSeries` readings of each indicator. RSS is sampled after start-up,
 *   after the first 10 % of devices and after all of them.
 * - `seriesMemoryLive`: the LiveModel alone, fed directly, with real detectors and with a shared
 *   stub detector: the difference is the detectors' share, the stub run's growth the live cells'.
 *
 * Per series = (RSS after all − RSS after start-up) / series; the marginal figure is the slope
 * between 10 % and 100 %, which leaves out one-time growth (JIT code, SQLite page cache, buffers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { deviceReadings, generateModel } from './generate-model.js';

const CHILD = new URL('./series-memory-child.ts', import.meta.url).pathname;

export interface MemSample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface SeriesMemory {
  series: number;
  /** (all − base) / series, bytes. */
  rssPerSeries: number;
  heapPerSeries: number;
  /** (all − first 10 %) / (90 % of series), bytes. */
  rssMarginal: number;
  heapMarginal: number;
  samples: { base: MemSample; first: MemSample; all: MemSample };
}

export const DEVICES = 16_667;
const PER_SERIES = 3;

function spawnChild(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--expose-gc', '--max-old-space-size=4096', '--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
}

function summarise(series: number, firstSeries: number, samples: SeriesMemory['samples']): SeriesMemory {
  const { base, first, all } = samples;
  return {
    series,
    rssPerSeries: (all.rss - base.rss) / series,
    heapPerSeries: (all.heapUsed - base.heapUsed) / series,
    rssMarginal: (all.rss - first.rss) / (series - firstSeries),
    heapMarginal: (all.heapUsed - first.heapUsed) / (series - firstSeries),
    samples,
  };
}

/** LiveModel alone (no server, no store), real detectors or a shared stub. */
export async function seriesMemoryLive(detectors: 'real' | 'stub', devices = DEVICES): Promise<SeriesMemory> {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-bench-model-'));
  try {
    const g = generateModel(dir, { devices });
    const firstChunk = Math.round(devices / 10);
    const child = spawnChild(['live', g.file, detectors, String(firstChunk), String(PER_SERIES)]);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`memory child (live ${detectors}) exited with ${code}`);
    const samples = JSON.parse(out.trim().split('\n').pop()!) as SeriesMemory['samples'];
    return summarise(devices * g.indicators.length, firstChunk * g.indicators.length, samples);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The whole server reading an external broker at `brokerUrl` (anonymous publishes allowed). */
export async function seriesMemoryServer(brokerUrl: string, devices = DEVICES): Promise<SeriesMemory> {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-bench-model-'));
  const g = generateModel(dir, { devices });
  const child = spawnChild(['server', g.file, brokerUrl]);
  const messages: Array<{ type: string; httpUrl?: string; mem?: MemSample }> = [];
  let wake: (() => void) | null = null;
  child.on('message', (m: (typeof messages)[number]) => {
    messages.push(m);
    wake?.();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const next = async (type: string) => {
    const until = Date.now() + 120_000;
    for (;;) {
      const i = messages.findIndex((m) => m.type === type);
      if (i >= 0) return messages.splice(i, 1)[0]!;
      if (child.exitCode !== null)
        throw new Error(`memory child (server) exited with ${child.exitCode} before "${type}"`);
      if (Date.now() > until) throw new Error(`memory child (server) sent no "${type}" within 120 s`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  };
  const pub = await mqtt.connectAsync(brokerUrl, { clientId: 'bench-mem-pub' });
  try {
    const ready = await next('ready');
    const httpUrl = ready.httpUrl!;
    const base = ready.mem!;
    const t0 = Date.now() - 60_000;
    const perDevice = PER_SERIES * g.indicators.length;
    const publish = async (from: number, to: number) => {
      const window = 200;
      const pending = new Set<Promise<unknown>>();
      for (let i = from; i < to; i++) {
        const p = pub.publishAsync(
          deviceTopic(g.deviceIds[i]!, 'readings'),
          JSON.stringify(deviceReadings(g.indicators, PER_SERIES, t0, i)),
          { qos: 1 },
        );
        pending.add(p);
        void p.finally(() => pending.delete(p));
        if (pending.size >= window) await Promise.race(pending);
      }
      await Promise.all(pending);
      const want = to * perDevice;
      const until = Date.now() + 120_000;
      for (;;) {
        const text = await (await fetch(`${httpUrl}/metrics`)).text();
        const m = /^opsroom_readings_accepted_total (\d+)/m.exec(text);
        if (m && Number(m[1]) >= want) return;
        if (Date.now() > until) throw new Error(`memory bench: only ${m?.[1]} of ${want} readings stored after 120 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const firstChunk = Math.round(devices / 10);
    await publish(0, firstChunk);
    child.send({ type: 'measure' });
    const first = (await next('mem')).mem!;
    await publish(firstChunk, devices);
    child.send({ type: 'measure' });
    const all = (await next('mem')).mem!;
    return summarise(devices * g.indicators.length, firstChunk * g.indicators.length, { base, first, all });
  } finally {
    await pub.endAsync();
    if (child.exitCode === null) {
      child.send({ type: 'exit' });
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
