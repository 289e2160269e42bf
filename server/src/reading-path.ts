/**
 * The reading's path, composed in one place. Each stage is a unit of its own, with its own tests:
 *
 *   accept ──► validate ──► store ──► roll up ──► detect ──► alert ──► publish
 *   ingest/     ingest/      ingest/     vsm/        vsm/        alerts/     realtime/
 *   pipeline    validate-    write-      live-model  detectors   alert-      socket-server
 *               message      batcher                 (per series) service    (node rooms)
 *
 * The broker hands every device message to `pipeline.accept` (its PUBACK waits for the store);
 * after the store accepted a batch the live model rolls it up the recursion and runs the series'
 * detector, whose `alert` decision reaches the alert service; the alert service and the roll-up
 * period publish to the sockets of the nodes concerned. Beside the path: the silence watch (a
 * device series that stops sending raises `dropout`), the correction windows (escalation), and
 * directives back down to the devices of a node.
 *
 * The path's clocks are components (`Ticker`): they start after the sockets exist and stop first.
 * Every stage reads the model through the holder and takes a reload as it happens.
 */
import type { DirectiveAck, ReadingBatch } from '@opsroom/models';
import { DeviceContacts } from './admin/device-contacts.js';
import type { OpsroomConfig } from './config/config.js';
import type { AlertRepository } from './alerts/alert-repository.js';
import { AlertService } from './alerts/alert-service.js';
import type { AlertNotifier } from './alerts/webhook-notifier.js';
import { directivesFor } from './alerts/directives-out.js';
import type { MaintenanceWindows } from './alerts/maintenance-windows.js';
import type { DeviceChannel } from './ingest/mqtt-ingest.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { Ticker } from './lifecycle/lifecycle.js';
import type { Logger } from './log/logger.js';
import type { ServerMetrics } from './metrics/registry.js';
import type { ModelHolder } from './model/model-holder.js';
import type { Realtime } from './realtime/socket-server.js';
import type { StateWrites } from './state/state-writes.js';
import type { TimeSeriesStore } from './store/store.js';
import { createDetector } from './vsm/detectors/index.js';
import { LiveModel } from './vsm/live-model.js';
import { parentRollupPoints } from './vsm/rollup-period.js';
import { SilenceWatch } from './vsm/silence-watch.js';

/** How often the silence watch looks for device series that stopped sending, ms. */
export const SILENCE_SCAN_MS = 5000;

/** Where the path ends: the sockets (publish) and the devices (directives), attached once they run. */
export interface Outlets {
  sockets: Realtime | null;
  devices: DeviceChannel | null;
}

export interface ReadingPathOptions {
  model: ModelHolder;
  store: TimeSeriesStore;
  config: Pick<OpsroomConfig, 'rollupPeriodMs' | 'liveFlushMs' | 'escalationCheckMs'>;
  now: () => number;
  log: Logger;
  metrics: ServerMetrics;
  /** Where alerts are saved, and what else the alert stage needs. */
  alertState: {
    repo: AlertRepository;
    maintenance: MaintenanceWindows;
    notifier: AlertNotifier;
    writes: StateWrites;
    /** Federation: the server this one's top hands alerts up to. */
    parentServer?: string;
  };
  outlets: Outlets;
}

export interface ReadingPath {
  pipeline: IngestPipeline;
  live: LiveModel;
  alerts: AlertService;
  silence: SilenceWatch;
  /** Per device: last contact and the agent's buffer health (the admin screen). */
  contacts: DeviceContacts;
  /** The path's clocks in start order: escalation (one tick at start), silence scan, live flush, roll-up period. */
  clocks: Ticker[];
}

export function composeReadingPath(o: ReadingPathOptions): ReadingPath {
  const { model, store, now, log, metrics, outlets } = o;

  // alert: raised where the anomaly is seen, escalated when its correction window runs out.
  const alerts = new AlertService({
    model: model.current(),
    ...o.alertState,
    now,
    logger: log,
    metrics,
    onEvent: (event, alert) => outlets.sockets?.publishAlert(event, alert),
    onStatus: (statuses) => outlets.sockets?.publishStatuses(statuses),
    onDirective: (node, alert, actor, note) => {
      for (const { deviceId, directive } of directivesFor(model.current(), node, alert, actor, note, now()))
        outlets.devices?.sendCommand(deviceId, directive);
    },
  });

  // roll up + detect: the live model, one detector per device series and per parent indicator.
  const live = new LiveModel(model.current(), {
    rollupPeriodMs: o.config.rollupPeriodMs,
    now,
    createDetector: () => createDetector(),
    onDetection: (d) => alerts.onDetection(d),
  });

  // Dropouts: detectors run only when a reading comes, so a series that stops sending is watched apart.
  const silence = new SilenceWatch({ now });
  let indicatorIds = new Set(model.current().indicators.map((i) => i.id));
  const isIndicator = (metric: string) => indicatorIds.has(metric);

  const contacts = new DeviceContacts(now);
  const afterStore = (batch: ReadingBatch, channel: 'readings' | 'status') => {
    contacts.observe(batch, channel);
    if (channel !== 'readings') return;
    live.ingestBatch(batch);
    for (const r of silence.observeBatch(batch, isIndicator)) {
      log.info(
        { node: r.node, indicator: r.indicator, device: r.deviceId, silentForS: Math.round(r.silentForMs / 1000) },
        'device series sends again',
      );
    }
  };
  const onDirectiveAck = (deviceId: string, ack: DirectiveAck) => {
    const node = model.current().devices.get(deviceId)?.node;
    if (node && ack.alert) alerts.recordDirectiveAck(ack.alert, deviceId, node);
  };

  // accept + validate + store.
  const pipeline = new IngestPipeline({
    model: () => model.current(),
    store,
    metrics,
    logger: log,
    now,
    onReadings: afterStore,
    explain: (deviceId, body) => outlets.devices?.explain(deviceId, body),
    onDirectiveAck,
  });

  // A reload: alerts, values and detectors of nodes that remain are kept.
  model.subscribe((next, previous) => {
    for (const id of previous.devices.keys())
      if (!next.devices.has(id)) {
        silence.forgetDevice(id);
        contacts.forget(id);
      }
    live.replaceModel(next);
    indicatorIds = new Set(next.indicators.map((i) => i.id));
    alerts.replaceModel(next);
  });

  const clocks = [
    // Alerts that were overdue while the server was down escalate at start, once; a save that
    // fails is logged, counted and retried on the next tick (AlertService).
    new Ticker({
      name: 'escalation',
      everyMs: o.config.escalationCheckMs,
      tickAtStart: true,
      logger: log,
      tick: () => alerts.checkDeadlines(),
    }),
    new Ticker({
      name: 'silence watch',
      everyMs: SILENCE_SCAN_MS,
      unref: true,
      logger: log,
      tick: () => {
        for (const r of silence.scan()) {
          log.warn(
            {
              node: r.node,
              indicator: r.indicator,
              device: r.deviceId,
              lastTs: r.lastTs,
              silentForS: Math.round(r.silentForMs / 1000),
            },
            'device series went silent',
          );
          alerts.raiseSilence(r.node, r.indicator, r.deviceId, r.lastTs, r.silentForMs);
        }
      },
    }),
    // publish: the live view, batched per node room.
    new Ticker({
      name: 'live flush',
      everyMs: o.config.liveFlushMs,
      logger: log,
      tick: () => {
        const updates = live.flush();
        if (updates.length) outlets.sockets?.publishUpdates(updates);
      },
    }),
    new Ticker({
      name: 'roll-up period',
      everyMs: o.config.rollupPeriodMs,
      logger: log,
      tick: () => {
        const updates = live.periodTick();
        outlets.sockets?.publishUpdates(updates);
        const points = parentRollupPoints(updates, model.current(), now());
        if (points.length)
          store.writeBatch(points).catch((err: unknown) => log.error({ err }, 'store: writing roll-ups failed'));
      },
    }),
  ];

  return { pipeline, live, alerts, silence, contacts, clocks };
}
