import { appendFileSync, copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_WORKSHOP_METRICS, startAgent, type RunningAgent, type SimulatedMetric } from '@opsroom/edge-agent';
import { redactUrl, type Model } from '@opsroom/models';
import { ConfigError } from '../errors.js';
import type { OpsroomConfig } from '../config/config.js';
import { lockDataDir } from '../config/data-dir-lock.js';
import { loadModelFile } from '../model/index.js';
import { startOpsroom, type RunningOpsroom, type StartOptions } from '../start.js';
import { faultRecord, pickFault, type FaultRecord } from './fault-schedule.js';
import { CYBERSTRIDE_DEFAULTS } from '../vsm/detectors/index.js';

export interface DemoCredentials {
  users: Record<string, string>;
  devices: Record<string, string>;
}

export interface RunningDemo {
  server: RunningOpsroom | null;
  agents: RunningAgent[];
  close(): Promise<void>;
}

export interface DemoOptions {
  /** Only the simulated agents, against `config.brokerUrl` (an external broker). */
  agentsOnly?: boolean;
  /** Mean seconds between injected faults (default 60; 0 = no faults). */
  faultEverySec?: number;
  /**
   * No fault before this many seconds (default: the detectors' learning period at one reading a
   * second, CYBERSTRIDE_DEFAULTS.learn + 10 s): a fault injected while every detector is still
   * learning can be alerted by nothing, which would test the warm-up, not the alerts.
   */
  firstFaultAfterSec?: number;
  /** Appends one JSON line per injected fault ({@link FaultRecord}) to this file. */
  faultsLog?: string;
  seed?: number;
  /** The server's logger options (default: info-level JSON logs); `false` for none (the bench). */
  logger?: StartOptions['logger'];
  /** Clock of the fault log's times, ms since epoch (default Date.now). */
  now?: () => number;
}

/** Default mean interval between the demo's injected faults, s. */
export const DEMO_FAULT_EVERY_SEC = 60;

/** `models/examples/valle.yaml` -> `models/examples/valle.demo-credentials.json`. */
export function credentialsFileFor(modelFile: string): string {
  return modelFile.replace(/\.ya?ml$/i, '') + '.demo-credentials.json';
}

export function readDemoCredentials(modelFile: string): DemoCredentials {
  const file = credentialsFileFor(modelFile);
  if (!existsSync(file))
    throw new ConfigError(`the demo needs the plain-text demo credentials beside the model: ${file} is missing`);
  return JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
}

/** The demo's working copy of its model, in the data directory. */
export const DEMO_MODEL_COPY = 'demo-model.yaml';

/**
 * `opsroom demo`: the server (unless agentsOnly) plus one simulated edge agent per device of the
 * model — real MQTT clients over TCP running the edge-agent code — with occasional injected faults.
 */
export async function runDemo(
  config: OpsroomConfig,
  out: (line: string) => void,
  opts: DemoOptions = {},
): Promise<RunningDemo> {
  const creds = readDemoCredentials(config.model);
  const now = opts.now ?? Date.now;
  const every = (opts.faultEverySec ?? DEMO_FAULT_EVERY_SEC) * 1000;
  if (!Number.isFinite(every) || every < 0)
    throw new ConfigError(
      `demo: the mean interval between faults must be a number of seconds >= 0, got ${opts.faultEverySec}`,
    );
  const faultsLog = opts.faultsLog;
  if (faultsLog) {
    try {
      appendFileSync(faultsLog, ''); // refuse a path we cannot write now, not at the first fault
    } catch (err) {
      throw new ConfigError(`demo: cannot write the faults log ${faultsLog}: ${(err as Error).message}`);
    }
  }
  let server: RunningOpsroom | null = null;
  let brokerUrl: string;
  const model = opts.agentsOnly ? await loadModelFile(config.model) : null;
  if (opts.agentsOnly) {
    if (!config.brokerUrl) throw new ConfigError('demo --agents-only needs --broker-url (or OPSROOM_BROKER_URL)');
    brokerUrl = config.brokerUrl;
  } else {
    // The login page offers the demo's logins (GET /api/session): only here, never for `opsroom start`.
    const demoLogins = Object.entries(creds.users).map(([username, password]) => ({ username, password }));
    // The demo administers a copy of its model in the data directory (the Administration screen
    // writes the model file): the shipped example is never changed, and each demo starts from it.
    // Copied under the data directory's lock, so a demo already running there keeps its copy.
    const modelCopy = join(config.dataDir, DEMO_MODEL_COPY);
    const lock = lockDataDir(config.dataDir);
    try {
      copyFileSync(config.model, modelCopy);
    } finally {
      lock.release();
    }
    server = await startOpsroom({
      ...config,
      model: modelCopy,
      demoLogins,
      ...(opts.logger === undefined ? {} : { logger: opts.logger }),
    });
    brokerUrl = server.mqttUrl;
  }
  const theModel = server?.model ?? model!;
  const devices = [...theModel.devices.values()];
  const metrics = demoMetrics(theModel);
  const metricsFor = (node: string) => demoMetrics(theModel, node);
  // Agents log only their warnings in the demo: 14 agents' connection chatter would bury the server's lines.
  const log = server
    ? {
        ...server.log,
        info() {},
        debug() {},
        warn: server.log.warn.bind(server.log),
        error: server.log.error.bind(server.log),
      }
    : undefined;
  const agents: RunningAgent[] = [];
  try {
    for (const d of devices) {
      const secret = creds.devices[d.id];
      if (!secret) {
        out(`demo: no demo secret for device ${d.id}; it stays silent`);
        continue;
      }
      const url = new URL(brokerUrl);
      url.username = '';
      url.password = '';
      agents.push(
        await startAgent(
          {
            deviceId: d.id,
            secret,
            brokerUrl: url.toString().replace(/\/$/, ''),
            sampleIntervalMs: 1000,
            bufferDir: join(config.dataDir, 'agents'),
            source: { kind: 'simulated', metrics: metricsFor(d.node) },
          },
          { logger: log },
        ),
      );
    }
  } catch (err) {
    await Promise.allSettled(agents.map((a) => a.stop()));
    await server?.close();
    throw err;
  }

  // Occasional faults so that detectors and alerts have something to find.
  let seed = opts.seed ?? 20261127;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  let faultTimer: NodeJS.Timeout | undefined;
  let firstAfterMs = (opts.firstFaultAfterSec ?? CYBERSTRIDE_DEFAULTS.learn + 10) * 1000;
  const scheduleFault = () => {
    faultTimer = setTimeout(
      () => {
        if (agents.length) {
          const agent = agents[Math.floor(random() * agents.length)]!;
          const { metric, fault, description } = pickFault(random, Object.keys(metrics));
          try {
            agent.injectFault(metric, fault);
            out(`demo: injected a ${description} into ${agent.config.deviceId} ${metric}`);
            const device = agent.config.deviceId;
            const node = theModel.devices.get(device)?.node ?? '';
            const def = metricsFor(node)[metric];
            if (faultsLog && def) writeFaultLine(faultsLog, faultRecord(now(), device, node, metric, fault, def), out);
          } catch (err) {
            out(`demo: could not inject a fault: ${(err as Error).message}`);
          }
        }
        scheduleFault();
      },
      firstAfterMs + every * (0.5 + random()),
    );
    firstAfterMs = 0;
    faultTimer.unref();
  };
  if (every > 0) scheduleFault();

  if (server) {
    await server.flushLog(); // the banner comes after every start-up log line
    out('');
    out(`  opsroom demo is running: ${server.httpUrl}`);
    out(`  MQTT broker (embedded): ${server.mqttUrl}`);
    const firstFaultS = Math.round(opts.firstFaultAfterSec ?? CYBERSTRIDE_DEFAULTS.learn + 10);
    const faults =
      every > 0
        ? `a fault is injected about every ${+(every / 1000).toFixed(3)} s, ` +
          `from ${firstFaultS} s on (the detectors learn first)`
        : 'no faults injected';
    out(`  ${agents.length} simulated edge agents publishing every second; ${faults}`);
    if (faultsLog && every > 0) out(`  Injected faults are logged to ${faultsLog} (one JSON line each)`);
    out('');
    out('  Demo logins (user / password, role, scope):');
    for (const [name, password] of Object.entries(creds.users)) {
      const u = server.model.users.get(name);
      if (u) out(`    ${name.padEnd(16)} ${password.padEnd(22)} ${u.role.padEnd(8)} ${u.scope}`);
    }
    out('');
    out('  Ctrl-C stops everything and flushes the store.');
    out('');
  } else {
    const faults = every > 0 ? `a fault about every ${+(every / 1000).toFixed(3)} s` : 'no faults injected';
    const logged = faultsLog && every > 0 ? `, logged to ${faultsLog}` : '';
    out(`demo: ${agents.length} simulated edge agents publishing to ${redactUrl(brokerUrl)}; ${faults}${logged}`);
  }

  let closed: Promise<void> | null = null;
  return {
    server,
    agents,
    close: () =>
      (closed ??= (async () => {
        clearTimeout(faultTimer);
        await Promise.allSettled(agents.map((a) => a.stop()));
        await server?.close();
      })()),
  };
}

/** Appends one fault's JSON line; a failed write is said on `out` and the demo runs on. */
function writeFaultLine(file: string, record: FaultRecord, out: (line: string) => void): void {
  try {
    appendFileSync(file, JSON.stringify(record) + '\n');
  } catch (err) {
    out(`demo: could not log the fault to ${file}: ${(err as Error).message}`);
  }
}

/**
 * What the simulated agents publish: one series per indicator of the model — the demo workshop's
 * behaviour for the metrics it knows (output, energy, water, labour, defect_rate, temperature) and a
 * generic daily-cycle series for any other (e.g. the farm model's feed).
 */
export function demoMetrics(model: Model, node?: string): Record<string, SimulatedMetric> {
  const out: Record<string, SimulatedMetric> = {};
  const levels = node ? model.nodes.get(node)?.levels : undefined;
  for (const ind of model.indicators) {
    const capability = levels?.[ind.id]?.capability;
    // Where the model states a capability, the simulated workshop runs at about 80 % of it, so
    // Beer's productivity (actuality / capability) reads like a real plant's.
    out[ind.id] =
      capability !== undefined && capability > 0
        ? {
            base: 0.8 * capability,
            noise: 0.03 * capability,
            daily: 0.12 * capability,
            weekly: 0.04 * capability,
            min: 0,
          }
        : (DEMO_WORKSHOP_METRICS[ind.id] ?? { base: 100, noise: 3, daily: 25, weekly: 8, min: 0 });
  }
  return out;
}
