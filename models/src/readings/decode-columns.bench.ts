/**
 * Micro-benchmark of `decodeReadingColumns` against `decodeReadings` on the payloads the pipeline
 * bench publishes (server/bench/pipeline.ts): 100 readings of one metric per message, as a Buffer.
 *
 * Run by hand: `npx tsx models/src/readings/decode-columns.bench.ts`
 */
import { decodeReadings } from './decode.js';
import { decodeReadingColumns } from './decode-columns.js';

export interface DecodeColumnsBenchResult {
  /** decodeReadingColumns on the JSON batch (fast path). */
  jsonNsPerReading: number;
  /** decodeReadingColumns on the line-protocol batch (fast path). */
  lineNsPerReading: number;
  /** decodeReadingColumns on a JSON batch whose last reading has an ISO ts: a full scan, then the reference decoder. */
  jsonFallbackNsPerReading: number;
  /** decodeReadings (the object path) on the same JSON batch, for comparison. */
  oldJsonNsPerReading: number;
  /** decodeReadings on the same line-protocol batch. */
  oldLineNsPerReading: number;
}

const READINGS_PER_MESSAGE = 100;

// models is typed without Node (the UI uses it too): reach Node's Buffer and argv through globalThis.
const node = globalThis as unknown as { Buffer?: { from(s: string): Uint8Array }; process?: { argv: string[] } };
const encoder = new TextEncoder();
/** A Buffer under Node (what MQTT hands to ingest), else plain UTF-8 bytes. */
const asBytes = (s: string): Uint8Array => (node.Buffer ? node.Buffer.from(s) : encoder.encode(s));

/** `messages` payloads of each shape, built exactly as the pipeline bench builds them. */
export function benchPayloads(
  messages: number,
  t0: number,
): { json: Uint8Array[]; line: Uint8Array[]; jsonIso: Uint8Array[] } {
  const json: Uint8Array[] = [];
  const line: Uint8Array[] = [];
  const jsonIso: Uint8Array[] = [];
  let ts = t0;
  for (let i = 0; i < messages; i++) {
    const batch: Array<{ metric: string; value: number; ts: number | string }> = [];
    const lines: string[] = [];
    for (let j = 0; j < READINGS_PER_MESSAGE; j++) {
      batch.push({ metric: 'output', value: 100 + (j % 7), ts });
      lines.push(`output value=${100 + (j % 7)} ${ts}000000`);
      ts++;
    }
    json.push(asBytes(JSON.stringify(batch)));
    line.push(asBytes(lines.join('\n')));
    batch[batch.length - 1]!.ts = new Date(batch[batch.length - 1]!.ts as number).toISOString();
    jsonIso.push(asBytes(JSON.stringify(batch)));
  }
  return { json, line, jsonIso };
}

/** The best of five timed runs (the machine is shared: the minimum is the least disturbed figure). */
function nsPerReading(
  payloads: Uint8Array[],
  now: number,
  rounds: number,
  decode: (p: Uint8Array, now: number) => unknown,
): number {
  let sink = 0;
  const run = (r: number) => {
    for (let k = 0; k < r; k++) for (const p of payloads) sink += (decode(p, now) as object) ? 1 : 0;
  };
  run(Math.max(1, Math.ceil(rounds / 5))); // warm up: let the JIT settle
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    run(rounds);
    best = Math.min(best, ((performance.now() - t) * 1e6) / (rounds * payloads.length * READINGS_PER_MESSAGE));
  }
  if (sink < 0) throw new Error('unreachable');
  return best;
}

/** Nanoseconds per reading of each path (best of five runs of `rounds` passes over 100 messages of 100 readings). */
export function benchDecodeColumns(rounds = 40): DecodeColumnsBenchResult {
  const now = Date.now();
  const { json, line, jsonIso } = benchPayloads(100, now - 3600_000);
  const cols = (p: Uint8Array, t: number) => decodeReadingColumns(p, t);
  const objs = (p: Uint8Array, t: number) => decodeReadings(p, t);
  return {
    jsonNsPerReading: nsPerReading(json, now, rounds, cols),
    lineNsPerReading: nsPerReading(line, now, rounds, cols),
    jsonFallbackNsPerReading: nsPerReading(jsonIso, now, Math.ceil(rounds / 4), cols),
    oldJsonNsPerReading: nsPerReading(json, now, Math.ceil(rounds / 4), objs),
    oldLineNsPerReading: nsPerReading(line, now, Math.ceil(rounds / 4), objs),
  };
}

const script = node.process?.argv[1];
if (script && import.meta.url === new URL(`file://${script}`).href) {
  const r = benchDecodeColumns();
  for (const [k, v] of Object.entries(r))
    console.log(`${k.padEnd(26)} ${v.toFixed(1)} ns/reading  (${(1000 / v).toFixed(1)} M readings/s)`);
}
