import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyServerOptions } from 'fastify';
import { encodeEnvelope, ENVELOPE_VERSION, type Model } from '@opsroom/models';
import { WebhookNotifier } from './alerts/webhook-notifier.js';
import { webhookLookupFromModel } from './alerts/webhook-targets.js';
import { SqliteAlertRepository } from './alerts/sqlite-alert-repository.js';
import { SqliteMaintenanceRepository } from './alerts/maintenance-repository.js';
import { MaintenanceWindows } from './alerts/maintenance-windows.js';
import { AdminService } from './admin/admin-service.js';
import { ModelFileWriter } from './admin/model-file-writer.js';
import { SqliteSessionRepository } from './auth/session-repository.js';
import { Sessions } from './auth/sessions.js';
import { revokedDevices } from './broker/broker-auth.js';
import { startEmbeddedBroker } from './broker/embedded-broker.js';
import type { OpsroomConfig } from './config/config.js';
import { resolveConfig, tlsFiles } from './config/config.js';
import { DataDirInUseError, lockDataDir } from './config/data-dir-lock.js';
import { build } from './http/app.js';
import type { AppServices } from './http/services.js';
import { redact, startMqttIngest } from './ingest/mqtt-ingest.js';
import { ConfigError } from './errors.js';
import { Lifecycle } from './lifecycle/lifecycle.js';
import { silentLogger, type Logger } from './log/logger.js';
import { createServerMetrics } from './metrics/registry.js';
import { loadModelFile, watchModelFile } from './model/index.js';
import { ModelHolder } from './model/model-holder.js';
import { modelHash } from './model/model-hash.js';
import {
  chooseServer,
  linkTopology,
  narrowTo,
  ownerOfEachNode,
  ownership,
  viaChildOfEachNode,
} from './model/ownership.js';
import { answerAcross, answerBody, RemoteQueries } from './federation/remote-queries.js';
import { recordHandoffs } from './federation/alert-handoffs.js';
import { startChildLinks, type ChildLinks } from './federation/child-links.js';
import { FederationState } from './federation/federation-state.js';
import { RollupUplink } from './federation/rollup-uplink.js';
import { startUplinkClient, type UplinkClient } from './federation/uplink-client.js';
import { Ticker } from './lifecycle/lifecycle.js';
import { composeReadingPath, type Outlets } from './reading-path.js';
import { ownAuthority, startRealtime } from './realtime/socket-server.js';
import { connectSharedEvents, sharedEventsHealth } from './realtime/shared-events.js';
import { latestAtStartup } from './store/index.js';
import { openStore } from './store/open-store.js';
import { scheduleRetention } from './store/retention.js';
import { openStateDatabase } from './state/state-db.js';
import { StateWrites } from './state/state-writes.js';
import { DetectorCheckpoints } from './vsm/detector-checkpoint.js';
import { ROLLUP_DEVICE } from './vsm/rollup-period.js';
import { LevelLearner } from './vsm/level-learner.js';

export { ROLLUP_DEVICE } from './vsm/rollup-period.js';
export { SILENCE_SCAN_MS } from './reading-path.js';

/** Where the built UI is, relative to this file: opsroom-ui/dist. */
export const DEFAULT_UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../opsroom-ui/dist');

export interface StartOptions extends Partial<OpsroomConfig> {
  /** fastify/pino logger options, or false; default: info-level JSON logs. */
  logger?: FastifyServerOptions['logger'];
  now?: () => number;
  /** With `standby`: how often the data directory's lock is tried, ms (default 1000). */
  standbyPollMs?: number;
}

export interface RunningOpsroom {
  httpUrl: string;
  mqttUrl: string;
  httpPort: number;
  mqttPort: number | null;
  config: OpsroomConfig;
  /** The model in force, narrowed to what this server owns (issue 19 point 1). */
  model: Model;
  /** The model hash of the whole model file (model/model-hash.ts): what federated servers compare. */
  modelHash: string;
  /** The model's server this process runs (`--server-id`); undefined for a model without `servers:`. */
  serverId: string | undefined;
  /** Federation: where this server's child servers link (their `--uplink-url`); undefined without child servers. */
  linkUrl: string | undefined;
  log: Logger;
  /** Names of the running components, in start order (they stop in reverse). */
  components: readonly string[];
  /** Resolves once every log line written so far is out (the log is buffered): banners come after. */
  flushLog(): Promise<void>;
  /** Stops everything in reverse start order and flushes the store. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the whole server, in this order (it stops in reverse): data-directory lock, state
 * database, time-series store and its retention, HTTP, the reading's path (reading-path.ts) with
 * detectors restored from their checkpoint, the level learner (capability and potentiality learned
 * from history), HTTP listening and the sockets, the path's clocks, the broker (embedded unless
 * `brokerUrl`), the model file watcher, and periodic checkpoints.
 */
export async function startOpsroom(options: StartOptions = {}): Promise<RunningOpsroom> {
  const { logger: loggerOpts, now: nowOpt, standbyPollMs = 1000, ...overrides } = options;
  const config = resolveConfig({}, process.env, { uiDir: DEFAULT_UI_DIR, ...overrides });
  const { detectorCheckpointMs } = config;
  if (!Number.isFinite(detectorCheckpointMs) || detectorCheckpointMs < 0) {
    throw new ConfigError(
      `detectorCheckpointMs must be a number of milliseconds >= 0, got ${String(detectorCheckpointMs)}`,
    );
  }
  const now = nowOpt ?? Date.now;
  const life = new Lifecycle();

  try {
    // One server per data directory: a second start on it refuses before touching anything; a standby
    // (`--standby on`) waits instead, and takes over the moment the holder is gone.
    life.own(
      'data-dir lock',
      config.standby ? await standBy(config.dataDir, standbyPollMs, loggerOpts) : lockDataDir(config.dataDir),
      (lock) => lock.release(),
    );
    // Federation (issue 19 point 1): with `servers:` in the model this process runs only the part its server owns.
    // The holder narrows every model, at start and at each reload, so each component sees only that part; the
    // hash is of the whole model, as every server of the federation computes it.
    const full = await loadModelFile(config.model);
    const serverId = chooseServer(full, config.serverId);
    const narrow = narrowTo(serverId);
    let hash = modelHash(full);
    let fullModel = full;
    // Drill-down (issue 19 point 3): which server runs each node, and the child server a question about a node below
    // this server's part goes to (from the same owner map, once per model).
    let ownerOfNode = ownerOfEachNode(full);
    const viaChildOf = (m: Model) =>
      serverId === undefined ? new Map<string, string>() : viaChildOfEachNode(m, serverId, ownerOfNode);
    let viaChild = viaChildOf(full);
    // The links (parent, child servers, boundary) are set up once, at start: a reload that changes them is logged.
    const onTopology: { change?: (from: string, to: string) => void } = {}; // set once the log exists
    const topologyAtStart = serverId === undefined ? undefined : linkTopology(ownership(full, serverId));
    let topologyWarned = topologyAtStart;
    const models = new ModelHolder(full, silentLogger, (m) => {
      const narrowed = narrow(m);
      hash = modelHash(m);
      fullModel = m;
      ownerOfNode = ownerOfEachNode(m);
      viaChild = viaChildOf(m);
      if (serverId !== undefined && topologyAtStart !== undefined) {
        const topology = linkTopology(ownership(m, serverId));
        if (topology !== topologyWarned) onTopology.change?.(topologyAtStart, topology);
        topologyWarned = topology;
      }
      return narrowed;
    });
    const metrics = createServerMetrics();

    // State (alerts with trails, deadlines and shelves; maintenance windows; sessions) lives in
    // <dataDir>/state.db whatever the store (docs/measurements.md), opened once here and closed last; its
    // migrations run now (a data directory of the previous layout has these tables moved out of
    // opsroom.db first, before the store opens that file).
    const state = life.own('state database', openStateDatabase(config.dataDir), (s) => s.db.close());
    const sessionRepo = new SqliteSessionRepository(state.db);
    // Federation (issue 19 point 2): what goes to the parent server and to child servers is queued in state.db, in
    // the same transaction as the alert change it reports (federation/alert-handoffs.ts); the links send it.
    const own = serverId === undefined ? undefined : ownership(full, serverId);
    const fed = own ? new FederationState(state.db, now) : undefined;
    const links: { up: UplinkClient | null; children: ChildLinks | null } = { up: null, children: null };
    const kickLinks = () =>
      setImmediate(() => {
        links.up?.kick();
        links.children?.kick();
      });
    const handUp = own?.parent === undefined ? undefined : { server: own.parent, top: own.top };
    const linkedChildren = () => own?.children.filter((c) => services.remote?.connected(c)).length ?? 0;
    if (fed) {
      metrics.federationOutbox.collect(() => metrics.federationOutbox.set(fed.backlogAll()));
      metrics.federationLinks.collect(() =>
        metrics.federationLinks.set((links.up?.connected ? 1 : 0) + linkedChildren()),
      );
    }
    const alertRepo = new SqliteAlertRepository(
      state.db,
      fed &&
        ((saved) => {
          // the links are kicked only when something was queued (most saves concern no other server)
          if (recordHandoffs(saved, { state: fed, ...(handUp ? { parent: handUp } : {}) }) > 0) kickLinks();
        }),
    );
    sessionRepo.deleteExpired(now());

    const store = life.own('store', await openStore(config), (s) => s.close());
    // Retention per tier from the config (--retention-raw, --retention-minute, --retention-hour;
    // by default raw points 7 days, minute tier 90 days, hour tier kept); applied hourly.
    life.own('retention', scheduleRetention(store, { policy: config.retention }), (r) => r.stop());

    // HTTP first (its logger is the process logger), listening comes later.
    const services = {} as AppServices;
    const tls = tlsFiles(config);
    const app = await build(services, {
      // process.stdout, not pino's asynchronous default: log lines and the CLI's banner (also on
      // stdout) come out in the order they were written.
      logger: loggerOpts ?? { level: config.logLevel, stream: process.stdout },
      requestLogging: config.logLevel === 'debug' || config.logLevel === 'trace',
      uiDir: config.uiDir,
      https: tls,
      ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
    });
    const log: Logger = app.log ?? silentLogger;
    onTopology.change = (from, to) =>
      log.warn(
        { server: serverId, running: from, reloaded: to },
        from === to
          ? 'federation: the reloaded model gives this server its links as at start again'
          : "federation: the reloaded model changes this server's place in the federation (parent, child servers or " +
              'boundary); its links keep the layout they started with until the server is restarted',
      );
    life.useLogger(log);
    life.own('http', app, (a) => a.close());
    if (state.created) log.info({ state: state.path, version: state.version }, 'state database created');
    else for (const step of state.applied) log.info({ state: state.path, step }, 'state database migrated');
    for (const warning of state.warnings) log.warn({ state: state.path }, warning);

    // Webhooks per node (model `notify:`); the lookup follows model reloads.
    let webhookLookup = webhookLookupFromModel(models.current(), process.env, log);
    models.subscribe((next) => (webhookLookup = webhookLookupFromModel(next, process.env, log)));
    const notifier = life.own(
      'webhooks',
      new WebhookNotifier({ lookup: (node) => webhookLookup(node), logger: log }),
      (n) => n.close(),
    );
    // Failed saves of state: logged, counted, `state` on /healthz until one succeeds again.
    const writes = new StateWrites({
      now,
      logger: log,
      failures: metrics.stateSaveFailures,
      describe: () => `sqlite: ${state.path} (schema version ${state.version})`,
    });
    // Out-of-service windows (issue 15 point 3), saved beside the alerts.
    const maintenance = new MaintenanceWindows({
      repo: new SqliteMaintenanceRepository(state.db),
      now,
      model: () => models.current(),
      writes,
    });

    // The reading's path: accept → validate → store → roll up → detect → alert → publish.
    const outlets: Outlets = { sockets: null, devices: null };
    const path = composeReadingPath({
      model: models,
      store,
      config,
      now,
      log,
      metrics,
      alertState: {
        repo: alertRepo,
        maintenance,
        notifier,
        writes,
        ...(handUp ? { parentServer: handUp.server } : {}),
      },
      outlets,
    });
    const { live, alerts, pipeline } = path;

    // Issue 14: after a restart every detector continues from its checkpoint (<dataDir>/detectors.ckpt,
    // whatever the store), so no series is learning again; an unusable file is logged and ignored.
    // Written every detectorCheckpointMs and at close, after ingest has stopped (components stop in
    // reverse), only once start-up completed (a failed start must not replace a good checkpoint).
    const checkpoints = new DetectorCheckpoints({
      dataDir: config.dataDir,
      detectors: live,
      intervalMs: detectorCheckpointMs,
      logger: log,
    });
    await checkpoints.load();
    let started = false;
    life.own('detector checkpoints', checkpoints, async (c) => {
      if (started) await c.shutdown();
    });
    // After a restart the live view starts from the newest stored value of every device series, when
    // the store reads it cheaply (not InfluxDB: no Flux at start-up); a failed read is logged, not fatal.
    // So does each device's last contact (the admin screen): the time of its newest stored reading.
    const newest = (await latestAtStartup(store, log)).filter((p) => p.deviceId !== ROLLUP_DEVICE);
    live.seed(newest);
    path.contacts.seed(newest);
    live.flush();
    // Capability and potentiality the model says are `learned` (issue 20 point 3): learned from the store's
    // history before the first value is served, then hourly and after each reload of the model.
    const learner = await life.start(
      new LevelLearner({
        model: () => models.current(),
        store,
        live,
        now,
        rollupPeriodMs: config.rollupPeriodMs,
        logger: log,
      }),
    );
    models.subscribe(() => void learner.refresh());

    // Several UI-facing servers of one level (issue 19 point 4): with --redis-url the sockets share live events.
    const shared = config.redisUrl
      ? life.own('shared live events', await connectSharedEvents(config.redisUrl, log), (e) => e.close())
      : undefined;
    Object.assign(services, {
      config,
      model: () => models.current(),
      store,
      live,
      alerts,
      maintenance,
      sessions: new Sessions(() => models.current(), { ttlMs: config.sessionTtlMs, now, repo: sessionRepo, writes }),
      metrics,
      now,
      health: () => ({
        state: writes.health(),
        ...(fed && own ? { federation: federationHealth(fed, own, links, linkedChildren()) } : {}),
        ...(shared ? { events: sharedEventsHealth(shared) } : {}),
        broker: {
          ok: outlets.devices?.connected ?? false,
          detail: outlets.devices?.connected
            ? config.brokerUrl
              ? 'ingest connected to the external broker'
              : 'embedded broker listening'
            : 'no broker link',
        },
      }),
    } satisfies AppServices);

    await app.listen({ port: config.httpPort, host: config.host });
    const httpPort = (app.server.address() as AddressInfo).port;
    const sockets = life.own(
      'sockets',
      startRealtime(app.server as HttpServer, ownAuthority(services), {
        ...(shared ? { adapter: shared.adapter } : {}),
        onClients: (n) => metrics.socketClients.set(n),
      }),
      (rt) => rt.close(),
    );
    outlets.sockets = sockets;
    // Open sockets join the rooms of nodes a reload added, and leave those of nodes it removed, at once.
    models.subscribe(() => sockets.modelChanged());

    for (const clock of path.clocks) await life.start(clock);

    // Broker: the embedded aedes ingests in-process (its PUBACK waits for the store); an
    // external broker is read through an MQTT client in a persistent session.
    // Federation: the child servers of this one log in to send up (their `secret_hash`).
    const childServers = () =>
      (models.current().servers ?? []).filter((s) => s.parent === serverId && s.parent !== undefined);
    const fromChild = (from: string, payload: Buffer) =>
      links.children ? links.children.receive(from, payload) : Promise.reject(new Error('no child links'));
    const broker = config.brokerUrl
      ? null
      : await startEmbeddedBroker({
          host: config.host,
          port: config.mqttPort,
          devices: () => models.current().devices,
          logger: log,
          onDeviceMessage: (topic, payload) => pipeline.accept(topic, payload),
          servers: childServers,
          onServerMessage: fromChild,
          tls,
        });
    let linkUrl: string | undefined;
    if (fed && own && own.children.length > 0) {
      // With an external broker for the devices, the child servers link to a listener of this server's own, where
      // no device can log in (--federation-port).
      const linkBroker =
        broker ??
        life.own(
          'federation listener',
          await startEmbeddedBroker({
            host: config.host,
            port: config.federationPort,
            devices: () => new Map(),
            logger: log,
            servers: childServers,
            onServerMessage: fromChild,
            tls,
          }),
          (b) => b.close(),
        );
      linkUrl = linkBroker.url;
      if (!broker) log.info({ url: linkUrl, children: own.children }, 'federation: child servers link here');
      const queries = life.own(
        'drill-down queries to child servers',
        new RemoteQueries({
          send: (child, q) =>
            linkBroker.sendToServer(
              child,
              encodeEnvelope({ v: ENVELOPE_VERSION, modelHash: hash, from: own.server, seq: 0, body: q }),
            ),
          connected: (child) => linkBroker.serverConnected(child),
        }),
        (q) => q.close(),
      );
      // Drill-down (issue 19 point 3): a node a child server owns is asked of that server, in the caller's scope.
      services.remote = {
        ownerOf: (node) => viaChild.get(node),
        serverOf: (node) => (viaChild.has(node) ? ownerOfNode.get(node) : undefined),
        fullModel: () => fullModel,
        connected: (child) => linkBroker.serverConnected(child),
        ask: async (child, q) => answerBody(await queries.ask(child, q)),
      };
      links.children = life.own(
        'child server links',
        startChildLinks({
          serverId: own.server,
          state: fed,
          store,
          live,
          alerts,
          boundary: () => own.boundary,
          modelHash: () => hash,
          send: (child, payload) => linkBroker.sendToServer(child, payload),
          connected: (child) => linkBroker.serverConnected(child),
          onAnswer: (from, answer) => queries.answered(from, answer),
          logger: log,
        }),
        (c) => c.close(),
      );
    }
    // A device disabled, removed or given a new secret loses its live connection at once.
    if (broker)
      models.subscribe((next, previous) => broker.disconnectDevices(revokedDevices(previous.devices, next.devices)));
    // Users and devices: the admin screens write into the model file (the source of truth), and
    // the new model comes into force through the holder like any reload (admin/model-file-writer.ts).
    services.admin = new AdminService({
      model: () => models.current(),
      writer: new ModelFileWriter({ path: config.model, sink: models, logger: log }),
      contacts: path.contacts,
      connected: (id) => broker?.deviceConnected(id) ?? false,
      endSessions: (name) => services.sessions.endSessionsOf(name),
      logger: log,
    });
    const devices =
      broker ??
      (await startMqttIngest({
        brokerUrl: config.brokerUrl!,
        username: config.brokerUsername,
        password: config.brokerPassword,
        ...(config.brokerCa ? { ca: readFileSync(config.brokerCa) } : {}),
        ...(serverId === undefined ? {} : { serverId }),
        pipeline: () => pipeline,
        logger: log,
      }));
    life.own(broker ? 'embedded broker' : 'ingest from the external broker', devices, (d) => d.close());
    outlets.devices = devices;
    const brokerUrl = broker ? broker.url : config.brokerUrl!;

    // Editing the model file reloads it: a valid change takes effect at once for every subscriber
    // of the holder; an invalid one is refused and logged (as `opsroom model validate` prints it),
    // the old model runs on.
    const watcher = watchModelFile(
      config.model,
      (next) => models.replace(next),
      () => {},
      { logger: log },
    );
    life.own('model watcher', watcher, (w) => w.close());

    // Federation: a server with a parent queues its settled roll-ups every period and sends the outbox up.
    if (fed && handUp) {
      const rollups = new RollupUplink({
        state: fed,
        store,
        model: () => models.current(),
        parent: handUp.server,
        top: handUp.top,
        periodMs: config.rollupPeriodMs,
        ...(config.uplinkSettleMs !== undefined ? { settleMs: config.uplinkSettleMs } : {}),
        now,
        logger: log,
      });
      await life.start(
        new Ticker({
          name: 'roll-ups to the parent server',
          everyMs: Math.min(config.rollupPeriodMs, 10_000),
          tickAtStart: true,
          logger: log,
          tick: () => {
            rollups.tick().then(
              (n) => {
                if (n) links.up?.kick();
              },
              (err: unknown) => log.error({ err }, 'federation: computing roll-ups for the parent server failed'),
            );
          },
        }),
      );
      if (config.uplinkUrl && config.uplinkSecret)
        links.up = life.own(
          'uplink to the parent server',
          startUplinkClient({
            url: config.uplinkUrl,
            serverId: own!.server,
            secret: config.uplinkSecret,
            parent: handUp.server,
            state: fed,
            modelHash: () => hash,
            onDown: (m) =>
              m.kind === 'resolve'
                ? alerts.resolveFromServer(m.id, handUp.server, m.by, m.note)
                : alerts.directiveFromServer(m.id, handUp.server, m.by, m.note ?? ''),
            // a server in the middle of a deeper tree passes questions about its children's parts on
            onQuery: (q) =>
              answerAcross(
                q,
                { model: () => models.current(), store, live, rollupPeriodMs: config.rollupPeriodMs },
                services.remote,
              ),
            logger: log,
          }),
          (u) => u.close(),
        );
      else
        log.warn(
          { parent: handUp.server },
          'federation: no --uplink-url and OPSROOM_UPLINK_SECRET: roll-ups and escalations wait in the outbox until ' +
            'they are set',
        );
    }

    checkpoints.start();
    started = true;

    const httpUrl = `${tls ? 'https' : 'http'}://${config.host}:${httpPort}`;
    log.info(
      {
        http: httpUrl,
        mqtt: redact(brokerUrl),
        store: config.store,
        dataDir: config.dataDir,
        model: config.model,
        modelHash: hash,
        ...(serverId === undefined ? {} : { serverId, root: models.current().root }),
      },
      'opsroom started',
    );
    return {
      httpUrl,
      mqttUrl: brokerUrl,
      httpPort,
      mqttPort: broker ? broker.port : null,
      config,
      get model() {
        return models.current();
      },
      get modelHash() {
        return hash;
      },
      serverId,
      linkUrl,
      log,
      components: life.names(),
      flushLog: () =>
        new Promise<void>((done) => {
          const flush = (app.log as { flush?: (cb: () => void) => void }).flush;
          if (typeof flush === 'function') flush.call(app.log, () => done());
          else done();
        }),
      close: () => {
        log.debug({}, 'opsroom stopping');
        return life.stop();
      },
    };
  } catch (err) {
    await life.stop();
    throw err;
  }
}

/**
 * /healthz's `federation` component: always ok (a server whose link is down keeps running its own subtree, and a
 * health check must not restart it for that), the detail says how its links stand. No server or node names: the
 * endpoint is public.
 */
function federationHealth(
  fed: FederationState,
  own: { parent?: string; children: readonly string[] },
  links: { up: UplinkClient | null; children: ChildLinks | null },
  linkedChildren: number,
): { ok: true; detail: string } {
  const parts: string[] = [];
  if (own.parent !== undefined)
    parts.push(
      links.up ? `uplink to the parent server ${links.up.connected ? 'connected' : 'down'}` : 'no uplink configured',
    );
  if (own.children.length) parts.push(`${linkedChildren} of ${own.children.length} child servers linked`);
  parts.push(`${fed.backlogAll()} messages waiting in the outbox`);
  return { ok: true, detail: parts.join('; ') };
}

/**
 * A standby's wait (issue 19 point 5): tries the data directory's lock every `pollMs` until its holder is gone (a lock
 * whose process died is stale and taken over: config/data-dir-lock.ts), then returns it. It says so on stdout once,
 * and again when it takes over. Everything else a server holds (state.db, the store, the detectors' checkpoint, the
 * federation outbox) is in that directory, so the new server continues where the old one stopped.
 */
async function standBy(
  dataDir: string,
  pollMs: number,
  loggerOpts: StartOptions['logger'],
): Promise<ReturnType<typeof lockDataDir>> {
  const say = (msg: string) => {
    if (loggerOpts !== false)
      process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), dataDir, msg })}\n`);
  };
  let waited = false;
  for (;;) {
    try {
      const lock = lockDataDir(dataDir);
      if (waited) say('standby: the active server is gone; taking over');
      return lock;
    } catch (err) {
      // Only "in use by another server" is waited out; a directory that cannot be locked at all is an error.
      if (!(err instanceof DataDirInUseError)) throw err;
      if (!waited) say(`standby: ${err.message.split(';')[0]}; waiting to take over`);
      waited = true;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
