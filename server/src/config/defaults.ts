import { DEFAULT_RETENTION_POLICY } from '../store/retention.js';
import type { StoreKind } from '../store/store-kinds.js';

/** Every default in one place, units in comments. Overridden by flags, then by `OPSROOM_…` env vars. */
export const DEFAULTS = Object.freeze({
  host: '127.0.0.1', // where HTTP and the embedded broker listen; 0.0.0.0 to expose
  httpPort: 8080,
  mqttPort: 1883, // embedded broker (aedes) TCP port
  federationPort: 1884, // child servers' links when the devices' broker is external (--broker-url)
  dataDir: '.opsroom-data', // embedded store and alert state, relative to the working directory
  model: 'models/examples/valle.yaml',
  store: 'embedded' as StoreKind,
  // main: write transactions on the event loop (measured faster here: single readings 41 k vs 31 k/s,
  // alert p99 under load 5-10 vs 7-13 ms; batched equal); thread: a worker thread, for many-series
  // loads where one write transaction takes long enough to delay the UI.
  storeWriter: 'main' as 'main' | 'thread',
  rollupPeriodMs: 60_000, // a child with no reading in this period is stale; parents' detectors run once per period
  // how long the embedded and memory stores keep each resolution, ms: raw points 7 days, the 1-minute
  // tier 90 days, the 1-hour tier forever (no hourMs); defined in store/retention.ts
  retention: DEFAULT_RETENTION_POLICY,
  liveFlushMs: 250, // how often live indicator updates are pushed to sockets (batched)
  escalationCheckMs: 1_000, // how often deadlines are checked
  // ms between checkpoints of every detector to <dataDir>/detectors.ckpt (also written at graceful close); 0: only at
  // close
  detectorCheckpointMs: 300_000,
  sessionTtlMs: 12 * 3600_000, // browser session and bearer token lifetime
  // request logs only at debug and trace
  logLevel: 'info' as 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent',
  influxUrl: 'http://127.0.0.1:8086',
  influxOrg: 'opsroom',
  influxBucket: 'opsroom',
  vmUrl: 'http://127.0.0.1:8428', // VictoriaMetrics' default HTTP port
});
