import { join } from 'node:path';
import { METRIC_PATTERN, type Reading } from '@opsroom/models';
import { resolveAgentConfig, type AgentConfig, type AgentConfigInput } from './config/agent-config.js';
import { silentLogger, type Logger } from './log/logger.js';
import { MemoryOutbox } from './outbox/memory-outbox.js';
import type { Outbox } from './outbox/outbox.js';
import { SqliteOutbox } from './outbox/sqlite-outbox.js';
import { MqttPublisher, type PublisherStats } from './publish/mqtt-publisher.js';
import type { Fault } from './sources/faults.js';
import { SimulatedWorkshop } from './sources/simulated-workshop.js';
import { isFaultable, type Source } from './sources/source.js';

export interface AgentOptions {
  logger?: Logger;
  /** The clock that stamps readings and times faults (ms since epoch). Default `Date.now`. */
  now?: () => number;
  /** Use this source instead of the one the config describes. The agent closes it on stop. */
  source?: Source;
  /** Use this outbox instead of the one the config describes. The agent closes it on stop. */
  outbox?: Outbox;
  /** Called with each directive received on the commands topic (after it is logged). */
  onDirective?: (directive: unknown) => void;
}

export interface AgentStats extends PublisherStats {
  deviceId: string;
  /** Readings the source produced since start. */
  sampled: number;
  /** Readings waiting in the outbox. */
  queued: number;
  /** Readings the outbox dropped because it was full (since start). */
  dropped: number;
  /** Readings refused before the outbox (non-finite values, bad metric ids). */
  rejected: number;
}

export interface RunningAgent {
  readonly config: AgentConfig;
  /** Makes one metric of the source misbehave (see `Fault`). Throws if the source takes no faults or the metric or fault is invalid. */
  injectFault(metric: string, fault: Fault): void;
  /** Removes the faults of one metric, or of all. */
  clearFaults(metric?: string): void;
  /** Counters now; after stop(), the counters as they were when it stopped. */
  stats(): AgentStats;
  /** Stops sampling, waits up to `flushTimeoutMs` for the outbox to drain, disconnects, closes the outbox and source. Idempotent. */
  stop(): Promise<void>;
}

/** The outbox a config asks for: SQLite in `bufferDir` (one file per device), else memory. */
export function openOutbox(config: AgentConfig): Outbox {
  if (config.bufferDir === undefined) return new MemoryOutbox({ maxReadings: config.bufferMaxReadings });
  return new SqliteOutbox({ file: join(config.bufferDir, `${config.deviceId}.outbox.sqlite`), maxReadings: config.bufferMaxReadings });
}

/** The source a config describes. */
export function openSource(config: AgentConfig): Source {
  return new SimulatedWorkshop({ name: config.deviceId, seed: config.source.seed, metrics: config.source.metrics });
}

/**
 * Starts an edge agent: every `sampleIntervalMs` the source is sampled, the readings go into
 * the outbox, and the publisher drains the outbox to the broker. Resolves once sampling has
 * started; it does not wait for the broker (an agent must buffer while the broker is away).
 * Throws AgentConfigError for a bad configuration.
 */
export async function startAgent(input: AgentConfigInput | AgentConfig, opts: AgentOptions = {}): Promise<RunningAgent> {
  const config = resolveAgentConfig(input);
  const log = opts.logger ?? silentLogger;
  const now = opts.now ?? Date.now;
  const source = opts.source ?? openSource(config);
  let outbox: Outbox;
  try {
    outbox = opts.outbox ?? openOutbox(config);
  } catch (err) {
    source.close?.();
    throw err;
  }
  const publisher = new MqttPublisher({
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
    onDirective: (directive) => {
      // Acknowledging directives back to the server is a later step; for now they are logged.
      log.info({ deviceId: config.deviceId, directive }, 'directive received');
      opts.onDirective?.(directive);
    },
  });

  let sampled = 0;
  let rejected = 0;
  let stopped: Promise<void> | undefined;
  let final: AgentStats | undefined;

  const tick = () => {
    let readings: Reading[];
    try {
      readings = source.sample(now());
    } catch (err) {
      log.error({ source: source.id, err: (err as Error).message }, 'source failed to sample; skipping this tick');
      return;
    }
    const good = readings.filter((r) => METRIC_PATTERN.test(r.metric) && Number.isFinite(r.value) && Number.isFinite(r.ts));
    rejected += readings.length - good.length;
    if (good.length === 0) return;
    try {
      outbox.append(good);
    } catch (err) {
      rejected += good.length;
      log.error({ deviceId: config.deviceId, err: (err as Error).message }, 'could not store readings in the outbox; they are lost');
      return;
    }
    sampled += good.length;
    publisher.kick();
  };

  const timer = setInterval(tick, config.sampleIntervalMs);
  publisher.start();
  log.info(
    { deviceId: config.deviceId, brokerUrl: config.brokerUrl, source: source.id, outbox: config.bufferDir ?? 'memory', queued: outbox.depth(), sampleIntervalMs: config.sampleIntervalMs },
    'edge agent started',
  );

  return {
    config,
    injectFault(metric, fault) {
      if (!isFaultable(source)) throw new Error(`source ${source.id} does not take injected faults; only simulated sources do`);
      source.injectFault(metric, { ...fault, at: fault.at ?? now() } as Fault);
      log.info({ deviceId: config.deviceId, metric, fault }, 'fault injected');
    },
    clearFaults(metric) {
      if (isFaultable(source)) source.clearFaults(metric);
    },
    stats() {
      return final ?? { ...publisher.stats(), deviceId: config.deviceId, sampled, queued: outbox.depth(), dropped: outbox.dropped, rejected };
    },
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        const drained = await publisher.flush(config.flushTimeoutMs);
        if (!drained) log.warn({ deviceId: config.deviceId, queued: outbox.depth() }, config.bufferDir ? 'stopping with readings still in the outbox; they are sent on the next start' : 'stopping with readings still in the in-memory outbox; they are lost');
        await publisher.close();
        final = { ...publisher.stats(), deviceId: config.deviceId, sampled, queued: outbox.depth(), dropped: outbox.dropped, rejected };
        outbox.close();
        source.close?.();
        log.info({ deviceId: config.deviceId }, 'edge agent stopped');
      })();
      return stopped;
    },
  };
}
