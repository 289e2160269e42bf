import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IClientOptions } from 'mqtt';
import { redactUrl } from '@opsroom/models';
import {
  AgentConfigError,
  resolveAgentConfig,
  type AgentConfig,
  type AgentConfigInput,
} from './config/agent-config.js';
import { DirectiveHandler } from './directives/directive-handler.js';
import type { HealthCounters } from './health/health-readings.js';
import { HealthReporter } from './health/health-reporter.js';
import { statusFilePath, type AgentStatus, type SourceStatus } from './health/status-file.js';
import { silentLogger, type Logger } from './log/logger.js';
import { MemoryOutbox } from './outbox/memory-outbox.js';
import type { Outbox } from './outbox/outbox.js';
import { SqliteOutbox } from './outbox/sqlite-outbox.js';
import { MqttPublisher, type PublisherStats } from './publish/mqtt-publisher.js';
import { Sampler, type SamplerSlot } from './sample/sampler.js';
import type { Fault } from './sources/faults.js';
import { openSource } from './sources/open-source.js';
import type { Source } from './sources/source.js';

export interface AgentOptions {
  logger?: Logger;
  /** The clock that stamps readings and times faults (ms since epoch). Default `Date.now`. */
  now?: () => number;
  /**
   * Use this source instead of the ones the config describes (sampled every `sampleIntervalMs`). The agent closes it on
   * stop.
   */
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
  /**
   * Makes one metric of a simulated source misbehave (see `Fault`). Throws if no source takes faults for that metric or
   * the fault is invalid.
   */
  injectFault(metric: string, fault: Fault): void;
  /** Removes the faults of one metric, or of all. */
  clearFaults(metric?: string): void;
  /** Counters now; after stop(), the counters as they were when it stopped. */
  stats(): AgentStats;
  /** Per-source counters. */
  sourceStats(): SourceStatus[];
  /** Publishes health now (status topic and status file) rather than at the next interval. */
  reportHealth(): void;
  /**
   * Stops sampling, waits up to `flushTimeoutMs` for the outbox to drain, disconnects, closes the outbox and sources.
   * Idempotent.
   */
  stop(): Promise<void>;
}

export type { DirectiveAck } from './directives/directive-handler.js';

/** The outbox a config asks for: SQLite in `bufferDir` (one file per device), else memory. */
export function openOutbox(config: AgentConfig): Outbox {
  if (config.bufferDir === undefined) return new MemoryOutbox({ maxReadings: config.bufferMaxReadings });
  return new SqliteOutbox({
    file: join(config.bufferDir, `${config.deviceId}.outbox.sqlite`),
    maxReadings: config.bufferMaxReadings,
  });
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
      throw new AgentConfigError(
        `tls.${k}`,
        `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  };
  return { ...read('ca'), ...read('cert'), ...read('key'), rejectUnauthorized: tls.rejectUnauthorized };
}

/** The sources a config describes, each with its interval; on a failure the ones already open are closed. */
async function openSlots(config: AgentConfig, log: Logger): Promise<SamplerSlot[]> {
  const slots: SamplerSlot[] = [];
  for (const sc of config.sources) {
    try {
      const source = await openSource(sc, {
        deviceId: config.deviceId,
        logger: log,
        ...(config.bufferDir ? { stateDir: config.bufferDir } : {}),
      });
      slots.push({ name: sc.name, source, intervalMs: sc.intervalMs });
    } catch (err) {
      for (const s of slots) s.source.close?.();
      throw new AgentConfigError(`sources.${sc.name}`, (err as Error).message);
    }
  }
  return slots;
}

/**
 * Starts an edge agent: a pipeline of stages, each a component with its own timers —
 *
 *   sampler (sources on their intervals) → outbox (memory or SQLite) → publisher (MQTT, QoS 1)
 *   directives (commands topic → acknowledgement on the status topic)
 *   health (counters as readings on the status topic, and the status file)
 *
 * started in that order and stopped in reverse: sampling stops, the outbox drains for up to
 * `flushTimeoutMs`, the publisher disconnects, the last status is written, the outbox and the
 * sources close. Resolves once sampling has started; it does not wait for the broker (an agent
 * must buffer while the broker is away). Throws AgentConfigError for a bad configuration.
 */
export async function startAgent(
  input: AgentConfigInput | AgentConfig,
  opts: AgentOptions = {},
): Promise<RunningAgent> {
  const config = resolveAgentConfig(input);
  const log = opts.logger ?? silentLogger;
  const now = opts.now ?? Date.now;
  const mqttOptions = tlsOptions(config);
  const slots = opts.source
    ? [{ name: 'source', source: opts.source, intervalMs: config.sampleIntervalMs }]
    : await openSlots(config, log);
  let outbox: Outbox;
  try {
    outbox = opts.outbox ?? openOutbox(config);
  } catch (err) {
    for (const s of slots) s.source.close?.();
    throw err;
  }
  const startedAt = now();

  // The publisher and the directive handler refer to each other: acknowledgements go out through the publisher.
  const directives: DirectiveHandler = new DirectiveHandler({
    deviceId: config.deviceId,
    logger: log,
    now,
    publishStatus: (payload) => publisher.publishStatus(payload),
    ...(opts.onDirective ? { onDirective: opts.onDirective } : {}),
  });
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
    onDirective: directives.handle,
  });
  const sampler = new Sampler({
    slots,
    outbox,
    deviceId: config.deviceId,
    logger: log,
    now,
    onAccepted: () => publisher.kick(),
  });

  // eslint-disable-next-line prefer-const -- assigned below, after stats(), which reads it
  let health: HealthReporter | undefined;
  const stats = (): AgentStats => ({
    ...publisher.stats(),
    ...sampler.counters(),
    deviceId: config.deviceId,
    queued: outbox.depth(),
    dropped: outbox.dropped,
    directivesAcked: directives.ackedCount,
    healthReports: health?.reportCount ?? 0,
    startedAt,
  });
  const status = (c: HealthCounters, stopped: boolean): AgentStatus => ({
    deviceId: config.deviceId,
    pid: process.pid,
    brokerUrl: redactUrl(config.brokerUrl),
    startedAt,
    writtenAt: now(),
    statusIntervalMs: config.statusIntervalMs,
    stopped,
    connected: c.connected,
    queued: c.queued,
    dropped: c.dropped,
    published: c.published,
    sampled: c.sampled,
    rejected: c.rejected,
    sourceErrors: c.sourceErrors,
    reconnects: c.reconnects,
    lastPublishAt: c.lastPublishAt,
    directives: c.directives,
    lastDirective: directives.last,
    sources: sampler.statuses(),
  });
  health = new HealthReporter({
    deviceId: config.deviceId,
    logger: log,
    now,
    intervalMs: config.statusIntervalMs,
    statusFile: config.bufferDir ? statusFilePath(config.bufferDir, config.deviceId) : undefined,
    counters: stats,
    status,
    publishStatus: (payload) => publisher.publishStatus(payload),
    outboxMaxReadings: outbox.maxReadings,
  });
  const reporter = health;

  sampler.start();
  publisher.start();
  reporter.start();
  log.info(
    {
      deviceId: config.deviceId,
      brokerUrl: redactUrl(config.brokerUrl),
      sources: sampler.describe(),
      outbox: config.bufferDir ?? 'memory',
      queued: outbox.depth(),
    },
    'edge agent started',
  );

  let stopped: Promise<void> | undefined;
  let final: AgentStats | undefined;
  return {
    config,
    injectFault(metric, fault) {
      const source = sampler.faultable(metric);
      if (!source)
        throw new Error(
          `the source of ${JSON.stringify(metric)} on ${config.deviceId} does not ` +
            `take injected faults; only simulated sources do`,
        );
      source.injectFault(metric, { ...fault, at: fault.at ?? now() } as Fault);
      log.info({ deviceId: config.deviceId, metric, fault }, 'fault injected');
    },
    clearFaults(metric) {
      for (const source of sampler.faultables()) source.clearFaults(metric);
    },
    stats() {
      return final ?? stats();
    },
    sourceStats() {
      return sampler.statuses();
    },
    reportHealth() {
      if (!stopped) reporter.report();
    },
    stop() {
      stopped ??= (async () => {
        sampler.stop();
        reporter.stop();
        const drained = await publisher.flush(config.flushTimeoutMs);
        if (!drained)
          log.warn(
            { deviceId: config.deviceId, queued: outbox.depth() },
            config.bufferDir
              ? 'stopping with readings still in the outbox; they are sent on the next start'
              : 'stopping with readings still in the in-memory outbox; they are lost',
          );
        await publisher.close();
        final = stats();
        reporter.writeFinal(final);
        outbox.close();
        sampler.close();
        log.info({ deviceId: config.deviceId }, 'edge agent stopped');
      })();
      return stopped;
    },
  };
}
