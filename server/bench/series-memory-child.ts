/**
 * Child process of the memory bench (run with `node --expose-gc --import tsx`), so the figures are
 * this process's resident memory alone, after full GCs:
 *
 * - `server <modelFile> <brokerUrl>`: the whole server (startOpsroom, embedded SQLite store) reading
 *   an external broker; the parent publishes and asks for measurements over IPC.
 * - `live <modelFile> <real|stub> <devices>`: the LiveModel alone with real detectors or a shared
 *   stub (no per-series detector state), fed directly; prints its measurements as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeReading } from '@opsroom/models';
import { loadModelFile } from '../src/model/index.js';
import { startOpsroom } from '../src/start.js';
import { createDetector, type DetectorOutput, type StreamingDetector } from '../src/vsm/detectors/index.js';
import { LiveModel } from '../src/vsm/live-model.js';
import { deviceReadings } from './generate-model.js';

interface MemSample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function sample(): Promise<MemSample> {
  if (!gc) throw new Error('run this child with node --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

const OUT: DetectorOutput = { score: 0, kind: 'none', probability: 1, forecast: null, alert: false, learning: false };
const STUB: StreamingDetector = { update: () => OUT, snapshot: () => ({ type: 'stub', version: 1 }) };

async function live(modelFile: string, mode: 'real' | 'stub', firstChunk: number, perSeries: number): Promise<void> {
  const model = await loadModelFile(modelFile);
  const lm = new LiveModel(model, {
    rollupPeriodMs: 60_000,
    now: Date.now,
    createDetector: mode === 'real' ? () => createDetector() : () => STUB,
    onDetection: () => {},
  });
  const devices = [...model.devices.values()];
  const indicators = model.indicators.map((i) => i.id);
  const t0 = Date.now() - 60_000;
  const feed = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const d = devices[i]!;
      const readings: NodeReading[] = deviceReadings(indicators, perSeries, t0, i).map((r) => ({
        ...r,
        node: d.node,
        deviceId: d.id,
      }));
      lm.ingest(readings);
      if (i % 1000 === 999) lm.flush();
    }
    lm.flush();
  };
  const base = await sample();
  feed(0, firstChunk);
  const first = await sample();
  feed(firstChunk, devices.length);
  const all = await sample();
  process.stdout.write(JSON.stringify({ base, first, all }) + '\n');
}

async function server(modelFile: string, brokerUrl: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-bench-mem-'));
  const running = await startOpsroom({
    host: '127.0.0.1',
    httpPort: 0,
    dataDir,
    model: modelFile,
    brokerUrl,
    logger: false,
  });
  const send = (m: unknown) => process.send!(m);
  process.on('message', (m: { type: string }) => {
    if (m.type === 'measure') void sample().then((mem) => send({ type: 'mem', mem }));
    if (m.type === 'exit') {
      void running.close().then(() => {
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
  send({ type: 'ready', httpUrl: running.httpUrl, mem: await sample() });
}

const [mode, modelFile, a, b, c] = process.argv.slice(2);
if (mode === 'live') await live(modelFile!, a as 'real' | 'stub', Number(b), Number(c));
else if (mode === 'server') await server(modelFile!, a!);
else {
  process.stderr.write(
    'usage: series-memory-child.ts live <model> <real|stub> <firstChunk> <perSeries> | server <model> <brokerUrl>\n',
  );
  process.exit(2);
}
