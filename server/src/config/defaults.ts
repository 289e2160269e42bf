/** Every default in one place, units in comments. Overridden by flags, then by `OPSROOM_…` env vars. */
export const DEFAULTS = Object.freeze({
  host: '127.0.0.1', // where HTTP and the embedded broker listen; 0.0.0.0 to expose
  httpPort: 8080,
  mqttPort: 1883, // embedded broker (aedes) TCP port
  dataDir: '.opsroom-data', // embedded store and alert state, relative to the working directory
  model: 'models/examples/valle.yaml',
  store: 'embedded' as 'embedded' | 'memory' | 'influxdb',
  rollupPeriodMs: 60_000, // a child with no reading in this period is stale; parents' detectors run once per period
  liveFlushMs: 250, // how often live indicator updates are pushed to sockets (batched)
  escalationCheckMs: 1_000, // how often deadlines are checked
  alertScoreThreshold: 0.99, // detector score in [0,1] at or above which an alert is raised; = the Cyberstride detector's fireAt, the standard-profile threshold chosen once on the NAB subset (server/src/vsm/detectors/README.md)
  sessionTtlMs: 12 * 3600_000, // browser session and bearer token lifetime
  influxUrl: 'http://127.0.0.1:8086',
  influxOrg: 'opsroom',
  influxBucket: 'opsroom',
});
