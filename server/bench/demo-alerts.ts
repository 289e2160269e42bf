/**
 * `npm run bench:demo -- [--minutes N] [--fault-every S] [--seed N]`: how fair a test of the alert
 * stream the demo is, measured on the demo itself. Runs the real demo in this process (server,
 * embedded broker and store in a temporary directory, 14 simulated agents over TCP, free ports)
 * with a faults log, collects every alert the server raised (GET /api/alerts as the demo admin),
 * and prints:
 *
 *  1. faults injected, by kind (with their median size in noise σ);
 *  2. the share of faults alerted at their node or its parent within 60 s of their start, by kind:
 *     raised on the fault's indicator; shown there (raised, or an alert already open on that series
 *     fired again: a new change or dropout, a `refired` trail entry); raised on any indicator; with
 *     the median delay until shown;
 *  3. the share of alerts with no injected fault behind them (node = the fault's node or its parent,
 *     raised within [start, start + duration + 60 s]; a grouping alert has one when an alert it
 *     groups has);
 *  4. a second run without faults (--fault-every 0): alerts per operator (per node with users) per hour.
 *
 * Measures whatever detector is in the tree; tunes nothing. Progress on stderr, figures on stdout;
 * the faults logs and the alerts of both runs are kept in a directory it names.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Alert, Model } from '@opsroom/models';
import { resolveConfig } from '../src/config/config.js';
import type { FaultRecord } from '../src/demo/fault-schedule.js';
import { DEMO_FAULT_EVERY_SEC, readDemoCredentials, runDemo } from '../src/demo/run-demo.js';
import { connectSocket, EXAMPLE_MODEL, getJson, login } from '../test/support/demo-fixture.js';
import { benchLogger } from './bench-logger.js';
import {
  DETECT_WITHIN_MS,
  faultOutcomes,
  hasFaultBehind,
  median,
  operatorLoad,
  operators,
  perMinute,
  refires,
  type FaultOutcome,
} from './demo-alerts-score.js';

const log = (s: string) => process.stderr.write(s + '\n');
const print = (s = '') => process.stdout.write(s + '\n');
const pct = (n: number, d: number) => (d === 0 ? '   –' : `${Math.round((100 * n) / d)}`.padStart(3) + ' %');
const KINDS = ['step', 'spike', 'drift', 'flatline', 'dropout'] as const;

interface RunResult {
  model: Model;
  startMs: number;
  endMs: number;
  faults: FaultRecord[];
  alerts: Alert[];
}

/** One demo run of `minutes` with a fault about every `faultEvery` s (0 = none); returns its faults and alerts. */
async function demoRun(
  label: string,
  minutes: number,
  faultEvery: number,
  seed: number | undefined,
  keepDir: string,
): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-bench-demo-'));
  const faultsLog = join(keepDir, `${label}-faults.jsonl`);
  const config = resolveConfig({}, {}, { host: '127.0.0.1', httpPort: 0, mqttPort: 0, dataDir, model: EXAMPLE_MODEL });
  const t0 = Date.now();
  const stamp = () => {
    const s = Math.round((Date.now() - t0) / 1000);
    return `[${label} ${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}]`;
  };
  log(
    `${stamp()} starting the demo (${minutes} min, ${faultEvery > 0 ? `a fault about every ${faultEvery} s` : 'no faults'}; data in ${dataDir})`,
  );
  const demo = await runDemo(config, (line) => line.startsWith('demo:') && log(`${stamp()} ${line}`), {
    faultEverySec: faultEvery,
    faultsLog,
    logger: benchLogger(),
    ...(seed !== undefined ? { seed } : {}),
  });
  try {
    const server = demo.server!;
    const creds = readDemoCredentials(EXAMPLE_MODEL);
    const token = await login(server.httpUrl, 'admin', creds.users.admin!);
    const socket = await connectSocket(server.httpUrl, token);
    let raised = 0;
    socket.on('alert:raised', (a) => {
      raised++;
      log(
        `${stamp()} alert raised: ${a.kind} ${a.node} ${a.indicator}${a.series ? ` (${a.series})` : ''} p=${a.probability.toFixed(2)}`,
      );
    });
    const startMs = t0;
    const endAt = startMs + minutes * 60_000;
    while (Date.now() < endAt) {
      await new Promise((r) => setTimeout(r, Math.min(30_000, endAt - Date.now())));
      const faults = readFaults(faultsLog).length;
      log(`${stamp()} ${faults} faults injected, ${raised} alerts raised so far`);
    }
    const endMs = Date.now();
    const alerts = await allAlerts(server.httpUrl, token, startMs);
    socket.disconnect();
    if (alerts.length !== raised)
      log(`${stamp()} note: the API lists ${alerts.length} alerts, the socket saw ${raised} raised events`);
    const model = server.model;
    await demo.close();
    writeFileSync(join(keepDir, `${label}-alerts.json`), JSON.stringify(alerts, null, 1));
    return { model, startMs, endMs, faults: readFaults(faultsLog), alerts };
  } finally {
    await demo.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function readFaults(file: string): FaultRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as FaultRecord);
}

/** Every alert raised since `since`, newest first, paging past the API's 1000 per request. */
async function allAlerts(httpUrl: string, token: string, since: number): Promise<Alert[]> {
  const byId = new Map<string, Alert>();
  let until = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const res = await getJson<Alert[]>(
      httpUrl,
      `/api/alerts?since=${since}&until=${until}&limit=1000&order=newest`,
      token,
    );
    if (res.status !== 200) throw new Error(`GET /api/alerts answered ${res.status}`);
    const fresh = res.body.filter((a) => !byId.has(a.id));
    for (const a of fresh) byId.set(a.id, a);
    if (res.body.length < 1000 || fresh.length === 0) break;
    until = Math.min(...res.body.map((a) => a.raisedAt));
  }
  return [...byId.values()].sort((a, b) => a.raisedAt - b.raisedAt);
}

function report(run: RunResult, minutes: number, faultEvery: number): void {
  const { model, faults, alerts, startMs, endMs } = run;
  print(
    `Run with faults: ${minutes} min, a fault about every ${faultEvery} s, ${alerts.length} alerts raised (${kindsOf(alerts)})`,
  );
  print(`  alerts per minute: ${perMinute(alerts, startMs, minutes).join(' ')}`);
  print('');
  const outcomes = faultOutcomes(model, faults, alerts, endMs);
  const scored = outcomes.filter((o) => o.scored);
  print(
    `Faults injected: ${faults.length} (${faults.length - scored.length} in the last ${DETECT_WITHIN_MS / 1000} s of the run, not scored)`,
  );
  print(
    '  kind       injected  scored  median size   shown within 60 s at node/parent, same indicator   any indicator   median delay   alert already open',
  );
  print(
    '                                (noise σ)     raised         or fired again             (raised)      (shown)        on node+indicator',
  );
  const row = (name: string, os: FaultOutcome[], all: FaultRecord[]) => {
    const sigmas = all.map((f) => f.sizeSigma).filter((x): x is number => x !== null);
    const same = os.filter((o) => o.sameIndicatorMs !== null);
    const shown = os.filter((o) => o.alertedMs !== null);
    const any = os.filter((o) => o.anyIndicatorMs !== null);
    const delay = median(shown.map((o) => o.alertedMs!));
    print(
      `  ${name.padEnd(10)} ${String(all.length).padStart(8)}  ${String(os.length).padStart(6)}  ${(sigmas.length ? median(sigmas).toFixed(1) : '–').padStart(11)}   ` +
        `${`${same.length}/${os.length}`.padStart(7)} ${pct(same.length, os.length)}   ${`${shown.length}/${os.length}`.padStart(7)} ${pct(shown.length, os.length)}   ${`${any.length}/${os.length}`.padStart(7)} ${pct(any.length, os.length)}   ` +
        `${(Number.isNaN(delay) ? '–' : `${(delay / 1000).toFixed(1)} s`).padStart(12)}   ${String(os.filter((o) => o.masked).length).padStart(6)}`,
    );
  };
  for (const k of KINDS) {
    row(
      k,
      scored.filter((o) => o.fault.kind === k),
      faults.filter((f) => f.kind === k),
    );
  }
  row('all', scored, faults);
  print('');
  const unexplained = alerts.filter((a) => !hasFaultBehind(model, a, faults, false, alerts));
  const unexplainedStrict = alerts.filter((a) => !hasFaultBehind(model, a, faults, true, alerts));
  print(
    `Alerts with no injected fault behind them (node = fault's node or parent, raised within [start, start + duration + 60 s];\n  a grouping alert has one when an alert it groups has):`,
  );
  print(
    `  ${unexplained.length}/${alerts.length} = ${pct(unexplained.length, alerts.length).trim()}   (${kindsOf(unexplained)})`,
  );
  print(
    `  also requiring the fault's indicator: ${unexplainedStrict.length}/${alerts.length} = ${pct(unexplainedStrict.length, alerts.length).trim()}`,
  );
  const fired = refires(model, alerts, faults);
  const firedAlone = fired.filter((r) => !r.explained).length;
  print(
    `Open alerts that fired again (a new change or dropout on their series): ${fired.length}, ${firedAlone} with no injected fault behind them (${pct(firedAlone, fired.length).trim()})`,
  );
  print('');
}

function reportQuiet(run: RunResult, minutes: number): void {
  const { model, alerts, startMs, endMs } = run;
  const hours = (endMs - startMs) / 3_600_000;
  print(`Run without faults (--fault-every 0): ${minutes} min, ${alerts.length} alerts raised (${kindsOf(alerts)})`);
  print(`  alerts per minute: ${perMinute(alerts, startMs, minutes).join(' ')}`);
  print('  alerts per operator per hour (ISA-18.2: ~6/h very likely acceptable, ~12/h maximum manageable):');
  print('  operator node            users                    raised in their subtree   reached their node');
  for (const [scope, users] of operators(model)) {
    const { inView, reached } = operatorLoad(scope, alerts);
    print(
      `  ${scope.padEnd(24)} ${users.join(', ').padEnd(24)} ${(inView / hours).toFixed(1).padStart(10)} /h (${inView})  ${(reached / hours).toFixed(1).padStart(10)} /h (${reached})`,
    );
  }
  print('');
}

const kindsOf = (alerts: readonly Alert[]) => {
  const counts = new Map<string, number>();
  for (const a of alerts) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      minutes: { type: 'string' },
      'fault-every': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    print(
      `npm run bench:demo -- [--minutes N] [--fault-every S] [--seed N]\n\nRuns the demo twice in process, with faults (default 6 min, a fault about every ${DEMO_FAULT_EVERY_SEC} s, the demo's own rate) and without,\nand prints how its alert stream meets the injected faults and how many alerts each operator gets.`,
    );
    return;
  }
  const minutes = Number(values.minutes ?? 6);
  const faultEvery = Number(values['fault-every'] ?? DEMO_FAULT_EVERY_SEC);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (!(minutes > 0) || !(faultEvery > 0) || (seed !== undefined && !Number.isInteger(seed))) {
    throw new Error('--minutes and --fault-every must be numbers > 0, --seed an integer');
  }
  const keepDir = mkdtempSync(join(tmpdir(), 'opsroom-demo-alerts-'));
  mkdirSync(keepDir, { recursive: true });
  log(
    `bench:demo — two runs of ${minutes} min each (about ${Math.ceil(2 * minutes + 1)} min in all); faults logs and alerts kept in ${keepDir}`,
  );
  const withFaults = await demoRun('faults', minutes, faultEvery, seed, keepDir);
  const quiet = await demoRun('quiet', minutes, 0, seed, keepDir);
  print('');
  report(withFaults, minutes, faultEvery);
  reportQuiet(quiet, minutes);
  print(`Faults logs and alerts of both runs: ${keepDir}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`bench:demo failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
