import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyServerOptions } from 'fastify';
import type { Alert, Directive, Model } from '@opsroom/models';
import { AlertService } from './alerts/alert-service.js';
import { WebhookNotifier } from './alerts/webhook-notifier.js';
import { webhookLookupFromModel } from './alerts/webhook-targets.js';
import { SqliteAlertRepository } from './alerts/sqlite-alert-repository.js';
import { SqliteMaintenanceRepository } from './alerts/maintenance-repository.js';
import { MaintenanceWindows } from './alerts/maintenance-windows.js';
import { SqliteSessionRepository } from './auth/session-repository.js';
import { Sessions } from './auth/sessions.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
import type { OpsroomConfig } from './config/config.js';
import { resolveConfig } from './config/config.js';
import { DEFAULTS } from './config/defaults.js';
import { lockDataDir } from './config/data-dir-lock.js';
import { build } from './http/app.js';
import type { AppServices } from './http/services.js';
import { redact, startMqttIngest, type DeviceChannel } from './ingest/mqtt-ingest.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { ConfigError } from './errors.js';
import { silentLogger, type Logger } from './log/logger.js';
import { createServerMetrics } from './metrics/registry.js';
import { loadModelFile, watchModelFile } from './model/index.js';
import { startRealtime, type Realtime } from './realtime/socket-server.js';
import { createStore, latestAtStartup } from './store/index.js';
import { SqliteStore } from './store/sqlite-store.js';
import { SqliteWorkerStore } from './store/sqlite-worker-store.js';
import { DEFAULT_RETENTION_POLICY, scheduleRetention } from './store/retention.js';
import type { StoredPoint, TimeSeriesStore } from './store/store.js';
import { openStateDatabase } from './state/state-db.js';
import { StateWrites } from './state/state-writes.js';
import { createDetector } from './vsm/detectors/index.js';
import { DetectorCheckpoints } from './vsm/detector-checkpoint.js';
import { LiveModel } from './vsm/live-model.js';
import { SilenceWatch } from './vsm/silence-watch.js';

/** Where the built UI is, relative to this file: opsroom-ui/dist. */
export const DEFAULT_UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../opsroom-ui/dist');

/** The device id under which parents' rolled-up values are stored (not a valid device id, so never a device's). */
export const ROLLUP_DEVICE = '$rollup';

/** How often the silence watch looks for device series that stopped sending, ms. */
export const SILENCE_SCAN_MS = 5000;

export interface StartOptions extends Partial<OpsroomConfig> {
  /** fastify/pino logger options, or false; default: info-level JSON logs. */
  logger?: FastifyServerOptions['logger'];
  now?: () => number;
  /** ms between periodic detector checkpoints (default DEFAULTS.detectorCheckpointMs); 0: only at close. */
  detectorCheckpointMs?: number;
}

export interface RunningOpsroom {
  httpUrl: string;
  mqttUrl: string;
  httpPort: number;
  mqttPort: number | null;
  config: OpsroomConfig;
  model: Model;
  log: Logger;
  /** Resolves once every log line written so far is out (the log is buffered): banners come after. */
  flushLog(): Promise<void>;
  /** Stops everything in order and flushes the store. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the whole server: model, store, broker (embedded unless `brokerUrl`), ingest, the live
 * VSM roll-up with detectors, alerts, HTTP + UI and socket.io. Every part is stopped by close().
 */
export async function startOpsroom(options: StartOptions = {}): Promise<RunningOpsroom> {
  const { logger: loggerOpts, now: nowOpt, detectorCheckpointMs = DEFAULTS.detectorCheckpointMs, ...overrides } = options;
  const config = resolveConfig({}, process.env, { uiDir: DEFAULT_UI_DIR, ...overrides });
  if (!Number.isFinite(detectorCheckpointMs) || detectorCheckpointMs < 0) {
    throw new ConfigError(`detectorCheckpointMs must be a number of milliseconds >= 0, got ${String(detectorCheckpointMs)}`);
  }
  const now = nowOpt ?? Date.now;
  const cleanups: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    while (cleanups.length) {
      const fn = cleanups.pop()!;
      try {
        await fn();
      } catch {
        /* keep closing the rest */
      }
    }
  };

  try {
    // One server per data directory: a second start on it refuses before touching anything.
    const lock = lockDataDir(config.dataDir);
    cleanups.push(() => lock.release());
    let model = await loadModelFile(config.model);
    const metrics = createServerMetrics();

    // State (alerts with trails, deadlines and shelves; maintenance windows; sessions) lives in
    // <dataDir>/state.db whatever the store (SPEC §6), opened once here and closed last; its
    // migrations run now (a data directory of the previous layout has these tables moved out of
    // opsroom.db first, before the store opens that file).
    const state = openStateDatabase(config.dataDir);
    cleanups.push(() => {
      state.db.close();
    });
    const repo = new SqliteAlertRepository(state.db);
    const maintenanceRepo = new SqliteMaintenanceRepository(state.db);
    const sessionRepo = new SqliteSessionRepository(state.db);
    sessionRepo.deleteExpired(now());

    // The time-series store.
    let store: TimeSeriesStore;
    if (config.store === 'embedded') {
      // Write transactions on this event loop (default) or in a worker thread with its own
      // connection (--store-writer thread). With an external broker ingest is one message at a
      // time (mqtt.js sends the PUBACK, and reads the next message, only after the write), where a
      // thread round trip per message costs more than it saves (3.1 k vs 9.9 k readings/s measured).
      const dir = config.dataDir;
      store = config.storeWriter === 'thread' ? await SqliteWorkerStore.open(dir) : SqliteStore.open(dir);
    } else {
      store = createStore(
        config.store === 'influxdb' ? { kind: 'influxdb', ...config.influx, token: config.influx.token! } : config.store === 'victoriametrics' ? { kind: 'victoriametrics', ...config.vm } : { kind: 'memory' },
      );
    }
    cleanups.push(() => store.close());
    // Retention: raw points 7 days, minute tier 90 days, hour tier kept (DEFAULT_RETENTION_POLICY); hourly.
    const retention = scheduleRetention(store, { policy: DEFAULT_RETENTION_POLICY });
    cleanups.push(() => retention.stop());

    // HTTP first (its logger is the process logger), listening comes later.
    const services = {} as AppServices;
    const tls = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
    const app = await build(services, {
      // process.stdout, not pino's asynchronous default: log lines and the CLI's banner (also on
      // stdout) come out in the order they were written.
      logger: loggerOpts ?? { level: config.logLevel, stream: process.stdout },
      requestLogging: config.logLevel === 'debug' || config.logLevel === 'trace',
      uiDir: config.uiDir,
      https: tls,
    });
    const log: Logger = app.log ?? silentLogger;
    cleanups.push(() => app.close());

    let realtime: Realtime | null = null;
    let devices: DeviceChannel | null = null;
    // Webhooks per node (model `notify:`); the lookup follows model reloads.
    let webhookLookup = webhookLookupFromModel(model, process.env, log);
    const notifier = new WebhookNotifier({ lookup: (node) => webhookLookup(node), logger: log });
    cleanups.push(() => notifier.close());
    for (const step of state.applied) log.info({ state: state.path, step }, 'state database migrated');
    for (const warning of state.warnings) log.warn({ state: state.path }, warning);
    // Failed saves of state: logged, counted, `state` on /healthz until one succeeds again.
    const stateWrites = new StateWrites({
      now,
      logger: log,
      failures: metrics.stateSaveFailures,
      describe: () => `sqlite: ${state.path} (schema version ${state.version})`,
    });
    // Out-of-service windows (issue 15 point 3), saved beside the alerts.
    const maintenance = new MaintenanceWindows({ repo: maintenanceRepo, now, model: () => model, writes: stateWrites });
    const alerts = new AlertService({
      model,
      notifier,
      repo,
      maintenance,
      now,
      logger: log,
      metrics,
      writes: stateWrites,
      onEvent: (event, alert: Alert) => realtime?.publishAlert(event, alert),
      onStatus: (statuses) => realtime?.publishStatuses(statuses),
      onDirective: (node, alert, actor, note) => {
        for (const d of model.devices.values()) {
          if (d.node !== node) continue;
          const directive: Directive = { type: 'directive', alert: alert.id, indicator: alert.indicator, from: actor.name, note, at: new Date(now()).toISOString() };
          devices?.sendCommand(d.id, directive);
        }
      },
    });
    const live = new LiveModel(model, {
      rollupPeriodMs: config.rollupPeriodMs,
      now,
      createDetector: () => createDetector(),
      onDetection: (d) => alerts.onDetection(d),
    });
    // Issue 14: after a restart every detector continues from its checkpoint (<dataDir>/detectors.ckpt,
    // whatever the store), so no series is learning again; an unusable file is logged and ignored.
    // Written every detectorCheckpointMs and at close, after ingest has stopped (cleanups run in
    // reverse), only once start-up completed (a failed start must not replace a good checkpoint).
    const checkpoints = new DetectorCheckpoints({ dataDir: config.dataDir, detectors: live, intervalMs: detectorCheckpointMs, logger: log });
    await checkpoints.load();
    let started = false;
    cleanups.push(async () => {
      if (started) await checkpoints.shutdown();
    });
    // After a restart the live view starts from the newest stored value of every device series, when
    // the store reads it cheaply (not InfluxDB: no Flux at start-up); a failed read is logged, not fatal.
    live.seed((await latestAtStartup(store, log)).filter((p) => p.deviceId !== ROLLUP_DEVICE));
    live.flush();
    // Dropouts: the detectors run only when a reading comes, so a device series that stops sending
    // is watched apart and raises a 'dropout' alert at its node (silence-watch.ts says when).
    const silence = new SilenceWatch({ now });
    let indicatorIds = new Set(model.indicators.map((i) => i.id));
    const isIndicator = (metric: string) => indicatorIds.has(metric);
    Object.assign(services, {
      config,
      model: () => model,
      store,
      live,
      alerts,
      maintenance,
      sessions: new Sessions(() => model, { ttlMs: config.sessionTtlMs, now, repo: sessionRepo, writes: stateWrites }),
      metrics,
      now,
      health: () => ({
        state: stateWrites.health(),
        broker: { ok: devices?.connected ?? false, detail: devices?.connected ? (config.brokerUrl ? 'ingest connected to the external broker' : 'embedded broker listening') : 'no broker link' },
      }),
    } satisfies AppServices);

    const pipeline = new IngestPipeline({
      model: () => model,
      store,
      metrics,
      logger: log,
      now,
      onReadings: (batch, channel) => {
        if (channel !== 'readings') return;
        live.ingestBatch(batch);
        for (const r of silence.observeBatch(batch, isIndicator)) {
          log.info({ node: r.node, indicator: r.indicator, device: r.deviceId, silentForS: Math.round(r.silentForMs / 1000) }, 'device series sends again');
        }
      },
      explain: (deviceId, body) => devices?.explain(deviceId, body),
      onDirectiveAck: (deviceId, ack) => {
        const node = model.devices.get(deviceId)?.node;
        if (node && ack.alert) alerts.recordDirectiveAck(ack.alert, deviceId, node);
      },
    });

    await app.listen({ port: config.httpPort, host: config.host });
    const httpPort = (app.server.address() as AddressInfo).port;
    realtime = startRealtime(app.server as HttpServer, services);
    const rt = realtime;
    cleanups.push(() => rt.close());

    // Alerts that were overdue while the server was down escalate now, once.
    alerts.checkDeadlines();
    // A save that fails here is logged, counted and retried on the next tick (AlertService); anything
    // else thrown is logged: a timer never stops the process.
    const escalationTimer = setInterval(() => {
      try {
        alerts.checkDeadlines();
      } catch (err) {
        log.error({ err }, 'alerts: the deadline check failed; it runs again on the next tick');
      }
    }, config.escalationCheckMs);
    cleanups.push(() => clearInterval(escalationTimer));

    const silenceTimer = setInterval(() => {
      for (const r of silence.scan()) {
        log.warn({ node: r.node, indicator: r.indicator, device: r.deviceId, lastTs: r.lastTs, silentForS: Math.round(r.silentForMs / 1000) }, 'device series went silent');
        alerts.raiseSilence(r.node, r.indicator, r.deviceId, r.lastTs, r.silentForMs);
      }
    }, SILENCE_SCAN_MS);
    silenceTimer.unref();
    cleanups.push(() => clearInterval(silenceTimer));

    const liveTimer = setInterval(() => {
      const updates = live.flush();
      if (updates.length) rt.publishUpdates(updates);
    }, config.liveFlushMs);
    cleanups.push(() => clearInterval(liveTimer));

    const periodTimer = setInterval(() => {
      const updates = live.periodTick();
      rt.publishUpdates(updates);
      // Parents' rolled-up values are stored as series of their own, so their history can be charted.
      const points: StoredPoint[] = [];
      for (const u of updates) {
        if (u.value === null || u.stale || (model.nodes.get(u.node)?.children.length ?? 0) === 0) continue;
        points.push({ node: u.node, metric: u.indicator, deviceId: ROLLUP_DEVICE, ts: now(), value: u.value });
      }
      if (points.length) store.writeBatch(points).catch((err: unknown) => log.error({ err }, 'store: writing roll-ups failed'));
    }, config.rollupPeriodMs);
    cleanups.push(() => clearInterval(periodTimer));

    // Broker: the embedded aedes ingests in-process (its PUBACK waits for the store); an
    // external broker is read through an MQTT client in a persistent session.
    let broker: EmbeddedBroker | null = null;
    let brokerUrl: string;
    if (config.brokerUrl) {
      brokerUrl = config.brokerUrl;
      devices = await startMqttIngest({ brokerUrl, username: config.brokerUsername, password: config.brokerPassword, pipeline: () => pipeline, logger: log });
    } else {
      broker = await startEmbeddedBroker({
        host: config.host,
        port: config.mqttPort,
        devices: () => model.devices,
        logger: log,
        onDeviceMessage: (topic, payload) => pipeline.accept(topic, payload),
        tls,
      });
      brokerUrl = broker.url;
      devices = broker;
    }
    const dev = devices;
    cleanups.push(() => dev.close());

    // Editing the model file reloads it: a valid change takes effect at once (alerts, values and
    // detectors of nodes that remain are kept); an invalid one is refused and logged, the old model runs on.
    const watcher = watchModelFile(
      config.model,
      (next) => {
        for (const id of model.devices.keys()) if (!next.devices.has(id)) silence.forgetDevice(id);
        model = next;
        live.replaceModel(next);
        indicatorIds = new Set(next.indicators.map((i) => i.id));
        alerts.replaceModel(next);
        webhookLookup = webhookLookupFromModel(next, process.env, log);
      },
      () => {
        /* the watcher logs every problem as `opsroom model validate` prints it */
      },
      { logger: log },
    );
    cleanups.push(() => watcher.close());

    checkpoints.start();
    started = true;
    const httpUrl = `${tls ? 'https' : 'http'}://${config.host}:${httpPort}`;
    log.info({ http: httpUrl, mqtt: redact(brokerUrl), store: config.store, dataDir: config.dataDir, model: config.model }, 'opsroom started');
    let closed: Promise<void> | null = null;
    return {
      httpUrl,
      mqttUrl: broker ? broker.url : brokerUrl,
      httpPort,
      mqttPort: broker ? broker.port : null,
      config,
      get model() {
        return model;
      },
      log,
      flushLog: () =>
        new Promise<void>((done) => {
          const flush = (app.log as { flush?: (cb: () => void) => void }).flush;
          if (typeof flush === 'function') flush.call(app.log, () => done());
          else done();
        }),
      close: () => (closed ??= (async () => {
        log.debug({}, 'opsroom stopping');
        await closeAll();
      })()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

