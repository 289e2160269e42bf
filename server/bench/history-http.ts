// Benchmark of /api/history over HTTP on loopback (issue 18 point 3): a year of one-minute data of
// one series in the embedded store, the UI's chart at any span, under 50 ms per request, and the
// event loop never blocked more than 10 ms while year-range requests run. Used by `npm run bench`
// and, with a loose bound, by test/http/history-year.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { build } from '../src/http/app.js';
import type { AppServices } from '../src/http/services.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { StoredPoint } from '../src/store/store.js';
import { tinyModel } from '../test/support/tiny-model.js';
import type { LoopBlocks } from './loop-block.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const YEAR = 365 * DAY;
/** The end of the stored year; requests end 12,345 ms after it (not aligned to anything). */
export const YEAR_END = Date.UTC(2026, 0, 1);
export const LEAF = 'r/a/a1';
const TOKEN = 'tok-bench';
/** Sessions: a planner over the whole tiny model, and council-b, scoped to r/b. */
const USERS: Record<string, { name: string; role: string; scope: string }> = {
  [TOKEN]: { name: 'boss', role: 'planner', scope: 'r' },
  'tok-b': { name: 'council-b', role: 'council', scope: 'r/b' },
};

/** The spans measured, each ending at YEAR_END + 12 345 ms, as the UI's chart asks them (no windowMs). */
export const SPANS: ReadonlyArray<{ name: string; ms: number }> = [
  { name: '1 h', ms: 60 * MIN },
  { name: '1 day', ms: DAY },
  { name: '1 week', ms: 7 * DAY },
  { name: '30 days', ms: 30 * DAY },
  { name: '90 days', ms: 90 * DAY },
  { name: '1 year', ms: YEAR },
];

export interface HistoryYear {
  store: SqliteStore;
  app: FastifyInstance;
  base: string;
  /** GET /api/history with these query parameters (as `token`, default the planner's); returns the body and the time to the parsed body, ms. */
  get(
    params: Record<string, string | number>,
    token?: string,
  ): Promise<{ status: number; body: HistoryBody; ms: number }>;
  close(): Promise<void>;
}

export interface HistoryBody {
  points: Array<{ ts: number; value: number }>;
  from: number;
  to: number;
  resolution: {
    stepMs: number | null;
    aggregate: string | null;
    source: string;
    basis: string;
    reason: string;
    leaves?: number;
  };
  truncated: boolean;
  truncatedReason?: string;
}

/**
 * A temporary embedded store holding a year of one-minute readings (525,600, at 17 s past each
 * minute) of `leaves` (default LEAF only) of the tiny model, behind the real HTTP app on loopback.
 */
export async function historyYear(leaves: readonly string[] = [LEAF]): Promise<HistoryYear> {
  const dir = await mkdtemp(join(tmpdir(), 'opsroom-history-year-'));
  const store = SqliteStore.open(dir);
  const start = YEAR_END - YEAR;
  for (const [k, node] of leaves.entries()) {
    let batch: StoredPoint[] = [];
    for (let i = 0; i < YEAR / MIN; i++) {
      batch.push({
        node,
        metric: 'output',
        deviceId: `${node.split('/').pop()}-dev`,
        ts: start + i * MIN + 17_000,
        value: 50 + k + 10 * Math.sin(i / 90),
      });
      if (batch.length === 10_000) {
        await store.writeBatch(batch);
        batch = [];
      }
    }
    await store.writeBatch(batch);
  }
  const model = tinyModel();
  const services = {
    model: () => model,
    store,
    now: () => YEAR_END,
    config: { rollupPeriodMs: MIN },
    sessions: { lookup: (t: string | undefined) => (t === undefined ? null : (USERS[t] ?? null)) },
  } as unknown as AppServices;
  const app = await build(services);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    store,
    app,
    base,
    get: getter(base),
    async close() {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** GET /api/history on `base` (see HistoryYear.get). */
function getter(base: string): HistoryYear['get'] {
  return async (params, token = TOKEN) => {
    const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
    const t = performance.now();
    const res = await fetch(`${base}/api/history?${qs}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as HistoryBody;
    return { status: res.status, body, ms: performance.now() - t };
  };
}

/** historyYear in a child process (history-year-child.ts): its event loop is the server's alone. */
export interface HistoryYearServer {
  base: string;
  get: HistoryYear['get'];
  /** Starts and stops probeLoopBlocks in the child. */
  probeStart(): Promise<void>;
  probeStop(): Promise<LoopBlocks>;
  close(): Promise<void>;
}

export async function historyYearServer(leaves: readonly string[] = [LEAF]): Promise<HistoryYearServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      new URL('./history-year-child.ts', import.meta.url).pathname,
      JSON.stringify(leaves),
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  // Messages from the child in order; an exit rejects every later wait.
  const inbox: unknown[] = [];
  let waiting: ((m: unknown) => void) | null = null;
  let exited = false;
  child.on('message', (m) => (waiting ? (waiting(m), (waiting = null)) : inbox.push(m)));
  child.once('exit', () => {
    exited = true;
    waiting?.(undefined);
  });
  const next = async <T>(): Promise<T> => {
    const m =
      inbox.length > 0
        ? inbox.shift()
        : exited
          ? undefined
          : await new Promise<unknown>((resolve) => (waiting = resolve));
    if (m === undefined) throw new Error('history bench: the server child exited');
    return m as T;
  };
  const { base } = await next<{ base: string }>();
  return {
    base,
    get: getter(base),
    async probeStart() {
      child.send('probe-start');
      await next();
    },
    async probeStop() {
      child.send('probe-stop');
      return (await next<{ blocks: LoopBlocks }>()).blocks;
    },
    async close() {
      if (exited) return;
      const gone = once(child, 'exit');
      child.send('close');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export interface HistoryHttpResult {
  /** Per span: median ms per request (sequential), points answered and the step chosen. */
  spans: Array<{ name: string; ms: number; points: number; stepMs: number | null; source: string }>;
  /** The slowest span's median, ms (the figure to keep under 50 ms). */
  ms: number;
  /**
   * Longest time the event loop was held while `concurrent` year-range requests ran at once,
   * `rounds` times, ms, in the server's process (a child; the client is this process): in CPU time
   * (what its code held the loop for) and in wall time (also the time the OS ran other processes).
   */
  loopMaxCpuMs: number;
  loopMaxWallMs: number;
  /** The longest garbage-collection pause in the server meanwhile, ms. */
  loopGcMaxMs: number;
  /** A parent (r/a, two leaves of a year each) over the year, median ms; only with `parent`. */
  parentYearMs?: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Times each of SPANS `runs` times (after a warm-up) over HTTP, then measures the event loop's
 * longest hold (probeLoopBlocks) while `concurrent` requests for the year
 * (auto step, explicit 1 h windows, explicit 1 min windows cut to maxPoints, raw-sized last day)
 * run at once, `rounds` times.
 */
export async function benchHistoryHttp(
  opts: { runs?: number; concurrent?: number; rounds?: number; parent?: boolean } = {},
): Promise<HistoryHttpResult> {
  const runs = opts.runs ?? 7;
  const h = await historyYear(opts.parent ? [LEAF, 'r/a/a2'] : [LEAF]);
  try {
    const to = YEAR_END + 12_345;
    const spans: HistoryHttpResult['spans'] = [];
    for (const span of SPANS) {
      const params = { node: LEAF, indicator: 'output', from: to - span.ms, to };
      const first = await h.get(params);
      if (first.status !== 200) throw new Error(`history bench: ${span.name} answered ${first.status}`);
      const times: number[] = [];
      for (let r = 0; r < runs; r++) times.push((await h.get(params)).ms);
      spans.push({
        name: span.name,
        ms: median(times),
        points: first.body.points.length,
        stepMs: first.body.resolution.stepMs,
        source: first.body.resolution.source,
      });
    }
    const server = await historyYearServer();
    let loop: { loopMaxCpuMs: number; loopMaxWallMs: number; loopGcMaxMs: number };
    try {
      loop = await loopDelayUnderLoad(server, to, opts.concurrent ?? 4, opts.rounds ?? 5);
    } finally {
      await server.close();
    }
    let parentYearMs: number | undefined;
    if (opts.parent) {
      const params = { node: 'r/a', indicator: 'output', from: to - YEAR, to };
      await h.get(params);
      const times: number[] = [];
      for (let r = 0; r < runs; r++) times.push((await h.get(params)).ms);
      parentYearMs = median(times);
    }
    return {
      spans,
      ms: Math.max(...spans.map((s) => s.ms)),
      ...loop,
      ...(parentYearMs !== undefined ? { parentYearMs } : {}),
    };
  } finally {
    await h.close();
  }
}

/**
 * The server's event loop's longest hold (CPU and wall ms, measured in the server's process) while
 * `concurrent` year-range requests run at once, `rounds` times (after a warm-up request of each kind).
 */
export async function loopDelayUnderLoad(
  h: HistoryYearServer,
  to: number,
  concurrent: number,
  rounds: number,
): Promise<{ loopMaxCpuMs: number; loopMaxWallMs: number; loopGcMaxMs: number }> {
  const kinds: Array<Record<string, string | number>> = [
    { node: LEAF, indicator: 'output', from: to - YEAR, to },
    { node: LEAF, indicator: 'output', from: to - YEAR, to, windowMs: 3_600_000, maxPoints: 10_000 },
    { node: LEAF, indicator: 'output', from: to - YEAR, to, windowMs: MIN, maxPoints: 10_000, aggregate: 'max' },
    { node: LEAF, indicator: 'output', from: to - 60 * 10_000 * 1000, to, maxPoints: 10_000 },
  ];
  for (const k of kinds) await h.get(k); // warm-up: the first request of each kind compiles code paths
  await h.probeStart();
  const statuses: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const all = Array.from({ length: concurrent }, (_, i) => h.get(kinds[(r + i) % kinds.length]!));
      for (const res of await Promise.all(all)) statuses.push(res.status);
    }
  } catch (err) {
    await h.probeStop();
    throw err;
  }
  const blocks = await h.probeStop();
  if (statuses.some((s) => s !== 200))
    throw new Error(`history bench: year-range requests answered ${statuses.join(', ')}`);
  return { loopMaxCpuMs: blocks.maxCpuMs, loopMaxWallMs: blocks.maxWallMs, loopGcMaxMs: blocks.gcMaxMs };
}
