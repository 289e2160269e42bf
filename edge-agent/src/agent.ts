import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IClientOptions } from 'mqtt';
import { encodeJsonReadings, METRIC_PATTERN, redactUrl, type Reading } from '@opsroom/models';
import { AgentConfigError, resolveAgentConfig, type AgentConfig, type AgentConfigInput } from './config/agent-config.js';
import { healthReadings } from './health/health-readings.js';
import { statusFilePath, writeStatusFile, type AgentStatus, type SourceStatus } from './health/status-file.js';
import { silentLogger, type Logger } from './log/logger.js';
import { MemoryOutbox } from './outbox/memory-outbox.js';
import type { Outbox } from './outbox/outbox.js';
import { SqliteOutbox } from './outbox/sqlite-outbox.js';
import { MqttPublisher, type PublisherStats } from './publish/mqtt-publisher.js';
import type { Fault } from './sources/faults.js';
import { openSource } from './sources/open-source.js';
import { isFaultable, type Source } from './sources/source.js';

export interface AgentOptions {
  logger?: Logger;
  /** The clock that stamps readings and times faults (ms since epoch). Default `Date.now`. */
  now?: () => number;
  /** Use this source instead of the ones the config describes (sampled every `sampleIntervalMs`). The agent closes it on stop. */
  source?: Source;
  /** Use this outbox instead of the one the config describes. The agent closes it on stop. */
  outbox?: Outbox;
  /** Called with each directive received on the commands topic (after it is logged and acknowledged). */
  onDirective?: (directive: unknown) => void;
}

export interface AgentStats extends PublisherStats {
  deviceId: string;
  /** Readings the sources produced and the outbox took, since start. */
  sampled: number;
  /** Readings waiting in the outbox. */
  queued: number;
  /** Readings the outbox dropped because it was full (lifetime of a disk outbox; since start for memory). */
  dropped: number;
  /** Readings refused before the outbox (non-finite values, bad metric ids). */
  rejected: number;
  /** Samples that failed (a sensor unreachable, a command that failed, …). */
  sourceErrors: number;
  /** Directive acks published on the status topic. */
  directivesAcked: number;
  /** Health reports published on the status topic. */
  healthReports: number;
  startedAt: number;
}

export interface RunningAgent {
  readonly config: AgentConfig;
  /** Makes one metric of a simulated source misbehave (see `Fault`). Throws if no source takes faults for that metric or the fault is invalid. */
  injectFault(metric: string, fault: Fault): void;
  /** Removes the faults of one metric, or of all. */
  clearFaults(metric?: string): void;
  /** Counters now; after stop(), the counters as they were when it stopped. */
  stats(): AgentStats;
  /** Per-source counters. */
  sourceStats(): SourceStatus[];
  /** Publishes health now (status topic and status file) rather than at the next interval. */
  reportHealth(): void;
  /** Stops sampling, waits up to `flushTimeoutMs` for the outbox to drain, disconnects, closes the outbox and sources. Idempotent. */
  stop(): Promise<void>;
}

/** The message the agent publishes on its status topic when a directive arrives. */
export interface DirectiveAck {
  type: 'directive-ack';
  /** The directive's `alert` (or `id`) field, null when it has neither. */
  alert: string | null;
  deviceId: string;
  /** When the agent received it (ISO 8601, like the directive's own `at`). */
  at: string;
}

/** The outbox a config asks for: SQLite in `bufferDir` (one file per device), else memory. */
export function openOutbox(config: AgentConfig): Outbox {
  if (config.bufferDir === undefined) return new MemoryOutbox({ maxReadings: config.bufferMaxReadings });
  return new SqliteOutbox({ file: join(config.bufferDir, `${config.deviceId}.outbox.sqlite`), maxReadings: config.bufferMaxReadings });
}

/** The broker URL without a password, for logs and the status file. */
export { redactUrl };

/** mqtt.js TLS options from the config's file paths; an unreadable file is an AgentConfigError naming it. */
export function tlsOptions(config: AgentConfig): Partial<IClientOptions> {
  const tls = config.tls;
  if (!tls) return {};
  const read = (k: 'ca' | 'cert' | 'key') => {
    const path = tls[k];
    if (path === undefined) return {};
    try {
      return { [k]: readFileSync(path) };
    } catch (err) {
      throw new AgentConfigError(`tls.${k}`, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  return { ...read('ca'), ...read('cert'), ...read('key'), rejectUnauthorized: tls.rejectUnauthorized };
}

interface Slot {
  source: Source;
  status: SourceStatus;
  timer?: NodeJS.Timeout;
  busy: boolean;
}

/**
 * Starts an edge agent: each source is sampled on its own interval, the readings go into the
 * outbox, and the publisher drains the outbox to the broker. Every `statusIntervalMs` the agent
 * publishes its health as readings on its status topic and (with a bufferDir) rewrites its
 * status file. Directives on the commands topic are logged and acknowledged on the status topic.
 * Resolves once sampling has started; it does not wait for the broker (an agent must buffer
 * while the broker is away). Throws AgentConfigError for a bad configuration.
 */
export async function startAgent(input: AgentConfigInput | AgentConfig, opts: AgentOptions = {}): Promise<RunningAgent> {
  const config = resolveAgentConfig(input);
  const log = opts.logger ?? silentLogger;
  const now = opts.now ?? Date.now;
  const mqttOptions = tlsOptions(config);
  const slots: Slot[] = [];
  const newStatus = (name: string, source: Source, intervalMs: number): SourceStatus => ({ name, id: source.id, intervalMs, readings: 0, errors: 0, lastError: null, lastSampleAt: null, skipped: 0 });
  const closeSources = () => slots.forEach((s) => s.source.close?.());
  try {
    if (opts.source) slots.push({ source: opts.source, status: newStatus('source', opts.source, config.sampleIntervalMs), busy: false });
    else {
      for (const sc of config.sources) {
        let source: Source;
        try {
          source = await openSource(sc, { deviceId: config.deviceId, logger: log, ...(config.bufferDir ? { stateDir: config.bufferDir } : {}) });
        } catch (err) {
          throw new AgentConfigError(`sources.${sc.name}`, (err as Error).message);
        }
        slots.push({ source, status: newStatus(sc.name, source, sc.intervalMs), busy: false });
      }
    }
  } catch (err) {
    closeSources();
    throw err;
  }
  let outbox: Outbox;
  try {
    outbox = opts.outbox ?? openOutbox(config);
  } catch (err) {
    closeSources();
    throw err;
  }

  const startedAt = now();
  let sampled = 0;
  let rejected = 0;
  let sourceErrors = 0;
  let directivesAcked = 0;
  let healthReports = 0;
  let lastDirective: unknown = null;
  let droppedReported = outbox.dropped;
  let stopped: Promise<void> | undefined;
  let final: AgentStats | undefined;
  const statusFile = config.bufferDir ? statusFilePath(config.bufferDir, config.deviceId) : undefined;

  const publisher: MqttPublisher = new MqttPublisher({
    brokerUrl: config.brokerUrl,
    deviceId: config.deviceId,
    secret: config.secret,
    outbox,
    batchMax: config.batchMax,
    maxMessagesPerSecond: config.maxMessagesPerSecond,
    reconnectPeriodMs: config.reconnectPeriodMs,
    connectTimeoutMs: config.connectTimeoutMs,
    logger: log,
    now,
    mqtt: mqttOptions,
    onDirective: (directive) => {
      lastDirective = directive;
      const d = (typeof directive === 'object' && directive !== null ? directive : {}) as Record<string, unknown>;
      const id = typeof d.alert === 'string' ? d.alert : typeof d.id === 'string' ? d.id : null;
      log.info({ deviceId: config.deviceId, directive }, 'directive received');
      const ack: DirectiveAck = { type: 'directive-ack', alert: id, deviceId: config.deviceId, at: new Date(now()).toISOString() };
      if (publisher.publishStatus(JSON.stringify(ack))) directivesAcked++;
      opts.onDirective?.(directive);
    },
  });

  const accept = (slot: Slot, readings: Reading[], at: number) => {
    const good = readings.filter((r) => METRIC_PATTERN.test(r.metric) && Number.isFinite(r.value) && Number.isFinite(r.ts));
    if (good.length < readings.length) {
      rejected += readings.length - good.length;
      log.debug({ source: slot.source.id, rejected: readings.length - good.length }, 'readings with bad metric ids or non-finite values refused');
    }
    slot.status.lastSampleAt = at;
    if (good.length === 0) return;
    try {
      outbox.append(good);
    } catch (err) {
      rejected += good.length;
      log.error({ deviceId: config.deviceId, err: (err as Error).message }, 'could not store readings in the outbox; they are lost');
      return;
    }
    sampled += good.length;
    slot.status.readings += good.length;
    try {
      slot.source.checkpoint?.(at);
    } catch (err) {
      log.warn({ source: slot.source.id, err: (err as Error).message }, 'could not save the source position; a restart may repeat readings');
    }
    publisher.kick();
  };
  const failed = (slot: Slot, err: unknown) => {
    sourceErrors++;
    slot.status.errors++;
    const message = (err as Error)?.message ?? String(err);
    // Say each distinct problem once, not on every interval.
    if (message !== slot.status.lastError) log.error({ source: slot.source.id, err: message }, 'source failed to sample; retrying on the next interval');
    slot.status.lastError = message;
  };
  const tick = (slot: Slot) => {
    if (stopped) return;
    if (slot.busy) {
      slot.status.skipped++;
      return;
    }
    const at = now();
    let result: Reading[] | Promise<Reading[]>;
    try {
      result = slot.source.sample(at);
    } catch (err) {
      failed(slot, err);
      return;
    }
    if (Array.isArray(result)) {
      accept(slot, result, at);
      return;
    }
    slot.busy = true;
    result.then(
      (rs) => {
        slot.busy = false;
        if (!stopped) accept(slot, rs, at);
      },
      (err: unknown) => {
        slot.busy = false;
        if (!stopped) failed(slot, err);
      },
    );
  };

  const stats = (): AgentStats => ({ ...publisher.stats(), deviceId: config.deviceId, sampled, queued: outbox.depth(), dropped: outbox.dropped, rejected, sourceErrors, directivesAcked, healthReports, startedAt });
  const status = (s: AgentStats, isStopped: boolean): AgentStatus => ({
    deviceId: config.deviceId,
    pid: process.pid,
    brokerUrl: redactUrl(config.brokerUrl),
    startedAt,
    writtenAt: now(),
    statusIntervalMs: config.statusIntervalMs,
    stopped: isStopped,
    connected: s.connected,
    queued: s.queued,
    dropped: s.dropped,
    published: s.published,
    sampled: s.sampled,
    rejected: s.rejected,
    sourceErrors: s.sourceErrors,
    reconnects: s.reconnects,
    lastPublishAt: s.lastPublishAt,
    directives: s.directives,
    lastDirective,
    sources: slots.map((x) => ({ ...x.status })),
  });
  const writeStatus = (s: AgentStats, isStopped: boolean) => {
    if (!statusFile) return;
    try {
      writeStatusFile(statusFile, status(s, isStopped));
    } catch (err) {
      log.warn({ file: statusFile, err: (err as Error).message }, 'could not write the status file');
    }
  };
  const reportHealth = () => {
    const s = stats();
    if (s.dropped > droppedReported) {
      log.warn({ deviceId: config.deviceId, dropped: s.dropped - droppedReported, droppedTotal: s.dropped, bufferMaxReadings: outbox.maxReadings }, 'outbox full: the oldest readings were dropped to make room (raise bufferMaxReadings or restore the link)');
      droppedReported = s.dropped;
    }
    const payload = encodeJsonReadings(healthReadings(s, now()));
    if (publisher.publishStatus(payload)) healthReports++;
    writeStatus(s, false);
  };

  for (const slot of slots) slot.timer = setInterval(() => tick(slot), slot.status.intervalMs);
  const healthTimer = setInterval(reportHealth, config.statusIntervalMs);
  publisher.start();
  writeStatus(stats(), false);
  log.info(
    { deviceId: config.deviceId, brokerUrl: redactUrl(config.brokerUrl), sources: slots.map((s) => `${s.source.id} every ${s.status.intervalMs} ms`), outbox: config.bufferDir ?? 'memory', queued: outbox.depth() },
    'edge agent started',
  );

  const faultable = (metric: string) => slots.map((s) => s.source).find((s) => isFaultable(s) && s.metrics.includes(metric));
  return {
    config,
    injectFault(metric, fault) {
      const source = faultable(metric) ?? slots.map((s) => s.source).find(isFaultable);
      if (!source || !isFaultable(source)) throw new Error(`the source of ${JSON.stringify(metric)} on ${config.deviceId} does not take injected faults; only simulated sources do`);
      source.injectFault(metric, { ...fault, at: fault.at ?? now() } as Fault);
      log.info({ deviceId: config.deviceId, metric, fault }, 'fault injected');
    },
    clearFaults(metric) {
      for (const { source } of slots) if (isFaultable(source)) source.clearFaults(metric);
    },
    stats() {
      return final ?? stats();
    },
    sourceStats() {
      return slots.map((s) => ({ ...s.status }));
    },
    reportHealth() {
      if (!stopped) reportHealth();
    },
    stop() {
      stopped ??= (async () => {
        for (const slot of slots) clearInterval(slot.timer);
        clearInterval(healthTimer);
        const drained = await publisher.flush(config.flushTimeoutMs);
        if (!drained) log.warn({ deviceId: config.deviceId, queued: outbox.depth() }, config.bufferDir ? 'stopping with readings still in the outbox; they are sent on the next start' : 'stopping with readings still in the in-memory outbox; they are lost');
        await publisher.close();
        final = stats();
        writeStatus(final, true);
        outbox.close();
        closeSources();
        log.info({ deviceId: config.deviceId }, 'edge agent stopped');
      })();
      return stopped;
    },
  };
}
