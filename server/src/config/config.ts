import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseBrokerUrlParts } from '@opsroom/models';
import { ConfigError } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import { isStoreKind, STORE_KINDS, storeKindList, type StoreKind } from '../store/store-kinds.js';
import { brokerConnection } from '../ingest/broker-credentials.js';
import { checkRetentionPolicy, type RetentionPolicy } from '../store/retention.js';

/** The validated, frozen configuration of one server process. */
export interface OpsroomConfig {
  host: string;
  httpPort: number;
  /** Port of the embedded broker; unused when brokerUrl is set. */
  mqttPort: number;
  /**
   * Federation: with brokerUrl set, the port where this server takes its child servers' links (a broker of its own
   * for them alone: devices cannot log in there). Without brokerUrl the links use the embedded broker's port.
   */
  federationPort: number;
  dataDir: string;
  model: string;
  /**
   * Which server of the model's `servers:` this process is (issue 19): it runs only the subtree that server owns.
   * Absent: the model's only server, or the whole tree for a model without `servers:` (model/ownership.ts).
   */
  serverId?: string;
  /**
   * Federation (issue 19 point 2): the MQTT URL of the parent server's broker, for a server whose model entry has a
   * `parent`. Roll-ups and alert hand-offs go up it, resolves come down. Absent: nothing is sent up (the outbox keeps
   * filling and is sent once it is set).
   */
  uplinkUrl?: string;
  /** This server's secret on its parent's broker (the model's `servers[].secret_hash` is its hash). */
  uplinkSecret?: string;
  /**
   * Federation: how long after a roll-up period ends it is computed from the store and sent up, ms (default 3 roll-up
   * periods): readings an agent kept through an outage shorter than this still count in the period the parent gets.
   */
  uplinkSettleMs?: number;
  /**
   * Stand by (issue 19 point 5): while another server holds the data directory, wait; start the moment it is gone
   * (a stale lock: its process died), on the same state and store.
   */
  standby: boolean;
  /**
   * Several UI-facing servers of one level (issue 19 point 4): the Redis (redis:// or rediss://) through which their
   * sockets share live events (the socket.io Redis Streams adapter). Absent: events reach this server's sockets only.
   */
  redisUrl?: string;
  /**
   * Run as a UI replica of the server at this http(s) URL (issue 19 point 4): serve the room and its sockets, forward
   * every API call to that server (the only one that writes the level's state), take live events from `redisUrl`.
   * No broker, store or state of its own.
   */
  replicaOf?: string;
  /**
   * Addresses (comma-separated IPs or CIDRs) of UI replicas or reverse proxies in front of this server, whose
   * X-Forwarded-For is believed for the client's address (login limits count per address). Absent: none is.
   */
  trustProxy?: string;
  /** An external MQTT broker (mqtt://host:1883) instead of the embedded one. */
  brokerUrl?: string;
  /**
   * The server's user name and password on the external broker; each also accepted (percent-encoded) in brokerUrl, not
   * both.
   */
  brokerUsername?: string;
  brokerPassword?: string;
  /**
   * PEM file of the CA certificate(s) that sign the external broker's certificate (mqtts://, wss://), for a broker
   * whose certificate comes from the region's own CA; without it Node's public root CAs are trusted.
   */
  brokerCa?: string;
  store: StoreKind;
  /**
   * Where the embedded store runs its write transactions: `main` (the event loop, the default) or
   * `thread` (a worker thread with its own connection). See README's performance section.
   */
  storeWriter: 'main' | 'thread';
  influx: { url: string; org: string; bucket: string; token?: string };
  /** VictoriaMetrics (`--store victoriametrics`): its base URL. */
  vm: { url: string; username?: string; password?: string };
  rollupPeriodMs: number;
  /**
   * ms between periodic checkpoints of every detector to `<dataDir>/detectors.ckpt` (default
   * DEFAULTS.detectorCheckpointMs, 5 minutes); 0: only at a graceful close.
   */
  detectorCheckpointMs: number;
  /**
   * How long the embedded and memory stores keep each resolution (ms): raw points, the 1-minute
   * tier, the 1-hour tier (absent: forever). VictoriaMetrics and InfluxDB keep data for their own
   * retention period, so setting this with them is refused.
   */
  retention: Readonly<RetentionPolicy>;
  liveFlushMs: number;
  escalationCheckMs: number;
  sessionTtlMs: number;
  /** Directory of the built UI (opsroom-ui/dist); the UI is not served when absent. */
  uiDir?: string;
  /** PEM certificate and key: when both are set, HTTP is served over TLS and the embedded broker listens for mqtts. */
  tlsCert?: string;
  tlsKey?: string;
  /** pino level of the server's log; request logs are written only at debug and trace. */
  logLevel: LogLevel;
  /**
   * Set by `opsroom demo` only (no flag, no env var): the demo's public logins, which the login
   * page offers (`GET /api/session`). Absent for `opsroom start`, which then names no account.
   */
  demoLogins?: readonly DemoLogin[];
}

/** One of the demo's logins (models/examples/*.demo-credentials.json): public demo accounts, never real ones. */
export interface DemoLogin {
  username: string;
  password: string;
}

/** The log levels, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const HOUR_MS = 3_600_000;
const DURATION_UNITS_MS = { h: HOUR_MS, d: 24 * HOUR_MS, w: 7 * 24 * HOUR_MS } as const;
/** The shortest retention accepted: retention runs hourly, so anything shorter would not be kept to. */
export const MIN_RETENTION_MS = HOUR_MS;
/** The longest: 100 years (a longer one is a typo; keep 1-hour roll-ups `forever` instead). */
export const MAX_RETENTION_MS = 36_525 * 24 * HOUR_MS;

/**
 * A retention duration in ms: a positive whole number of hours, days or weeks.
 *
 * Example: parseDuration('36h') is 129_600_000; parseDuration('2w') is 1_209_600_000;
 * parseDuration('7') and parseDuration('1.5d') are null.
 */
export function parseDuration(raw: string): number | null {
  const m = /^(\d+)([hdw])$/.exec(raw.trim());
  if (!m) return null;
  return Number(m[1]) * DURATION_UNITS_MS[m[2] as keyof typeof DURATION_UNITS_MS];
}

/**
 * A duration in whole days, else whole hours. Example: formatDuration(14 * 86_400_000) is '14d';
 * formatDuration(129_600_000) is '36h'.
 */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', DURATION_UNITS_MS.d],
    ['h', HOUR_MS],
  ] as const) {
    if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The options a user sets: CLI flag name, env var, and how to parse it. */
export const OPTIONS = [
  {
    flag: 'http-port',
    env: 'OPSROOM_HTTP_PORT',
    key: 'httpPort',
    kind: 'port',
    help: `HTTP port for the API and UI (0 = any free port; default ${DEFAULTS.httpPort})`,
  },
  {
    flag: 'mqtt-port',
    env: 'OPSROOM_MQTT_PORT',
    key: 'mqttPort',
    kind: 'port',
    help: `embedded MQTT broker port (0 = any free port; default ${DEFAULTS.mqttPort})`,
  },
  {
    flag: 'federation-port',
    env: 'OPSROOM_FEDERATION_PORT',
    key: 'federationPort',
    kind: 'port',
    help:
      `with --broker-url and child servers: the port for their links (default ${DEFAULTS.federationPort}); ` +
      'without --broker-url they use the embedded broker',
  },
  {
    flag: 'host',
    env: 'OPSROOM_HOST',
    key: 'host',
    kind: 'string',
    help: `address to listen on (default ${DEFAULTS.host})`,
  },
  {
    flag: 'data-dir',
    env: 'OPSROOM_DATA_DIR',
    key: 'dataDir',
    kind: 'path',
    help: `embedded store and alert state directory (default ${DEFAULTS.dataDir})`,
  },
  {
    flag: 'model',
    env: 'OPSROOM_MODEL',
    key: 'model',
    kind: 'path',
    help: `model file (YAML) describing the organisation (default ${DEFAULTS.model})`,
  },
  {
    flag: 'server-id',
    env: 'OPSROOM_SERVER_ID',
    key: 'serverId',
    kind: 'serverId',
    help:
      "which of the model's servers: this is; it runs only the subtree it owns (default: the model's only server, " +
      'or the whole tree without servers:)',
  },
  {
    flag: 'standby',
    env: 'OPSROOM_STANDBY',
    key: 'standby',
    kind: 'onOff',
    help:
      'on: while another server runs on this --data-dir, wait and take over within a second of its death ' +
      '(same host or a shared disk; docs/federation.md "Standby"); default off: refuse to start',
  },
  {
    flag: 'uplink-url',
    env: 'OPSROOM_UPLINK_URL',
    key: 'uplinkUrl',
    kind: 'url',
    help:
      "federation: the parent server's broker, e.g. mqtt://region.example:1883; roll-ups and escalations go up it " +
      '(servers with a parent only)',
  },
  {
    flag: 'uplink-secret',
    env: 'OPSROOM_UPLINK_SECRET',
    key: 'uplinkSecret',
    kind: 'string',
    help: "this server's secret on its parent's broker (prefer the env var: flags show in `ps`)",
  },
  {
    flag: 'uplink-settle-ms',
    env: 'OPSROOM_UPLINK_SETTLE_MS',
    key: 'uplinkSettleMs',
    kind: 'ms',
    help:
      'federation: how long after a roll-up period ends it is sent up, ms (default 3 roll-up periods); raise it when ' +
      "agents are often offline longer, so their kept readings count in the parent's periods",
  },
  {
    flag: 'redis-url',
    env: 'OPSROOM_REDIS_URL',
    key: 'redisUrl',
    kind: 'redisUrl',
    help:
      'several UI-facing servers of one level: the Redis whose stream they share live events through, ' +
      "e.g. redis://127.0.0.1:6379 (default: none, events reach this server's sockets only)",
  },
  {
    flag: 'replica-of',
    env: 'OPSROOM_REPLICA_OF',
    key: 'replicaOf',
    kind: 'httpUrl',
    help:
      'run as a UI replica of the server at this URL: serve the room and its sockets, forward the API to it, ' +
      'live events from --redis-url (needed); no broker, store or state here (docs/federation.md "UI replicas")',
  },
  {
    flag: 'trust-proxy',
    env: 'OPSROOM_TRUST_PROXY',
    key: 'trustProxy',
    kind: 'addresses',
    help:
      'addresses of UI replicas or proxies in front of this server (comma-separated IPs or CIDRs) whose ' +
      'X-Forwarded-For names the client (default: none)',
  },
  {
    flag: 'broker-url',
    env: 'OPSROOM_BROKER_URL',
    key: 'brokerUrl',
    kind: 'url',
    help: 'external MQTT broker, e.g. mqtt://127.0.0.1:1883 (default: embedded aedes)',
  },
  {
    flag: 'broker-username',
    env: 'OPSROOM_BROKER_USERNAME',
    key: 'brokerUsername',
    kind: 'string',
    help: "the server's user name on the external broker",
  },
  {
    flag: 'broker-password',
    env: 'OPSROOM_BROKER_PASSWORD',
    key: 'brokerPassword',
    kind: 'string',
    help: 'its password, as written (no URL encoding; prefer the env var: flags show in `ps`)',
  },
  {
    flag: 'broker-ca',
    env: 'OPSROOM_BROKER_CA',
    key: 'brokerCa',
    kind: 'path',
    help: "PEM file of the CA that signs the external broker's certificate, for mqtts:// and wss:// (default: Node's public root CAs)",
  },
  {
    flag: 'store',
    env: 'OPSROOM_STORE',
    key: 'store',
    kind: 'store',
    help: `time-series store: ${STORE_KINDS.join(' | ')} (default ${DEFAULTS.store})`,
  },
  {
    flag: 'store-writer',
    env: 'OPSROOM_STORE_WRITER',
    key: 'storeWriter',
    kind: 'storeWriter',
    help:
      `embedded store writes on the main event loop or in a worker thread: ` +
      `main | thread (default ${DEFAULTS.storeWriter})`,
  },
  {
    flag: 'influx-url',
    env: 'OPSROOM_INFLUX_URL',
    key: 'influx.url',
    kind: 'url',
    help: `InfluxDB 2 URL (default ${DEFAULTS.influxUrl})`,
  },
  {
    flag: 'influx-org',
    env: 'OPSROOM_INFLUX_ORG',
    key: 'influx.org',
    kind: 'string',
    help: `InfluxDB organisation (default ${DEFAULTS.influxOrg})`,
  },
  {
    flag: 'influx-bucket',
    env: 'OPSROOM_INFLUX_BUCKET',
    key: 'influx.bucket',
    kind: 'string',
    help: `InfluxDB bucket (default ${DEFAULTS.influxBucket})`,
  },
  {
    flag: 'vm-url',
    env: 'OPSROOM_VM_URL',
    key: 'vm.url',
    kind: 'httpUrl',
    help: `VictoriaMetrics URL for --store victoriametrics (default ${DEFAULTS.vmUrl})`,
  },
  {
    flag: 'vm-username',
    env: 'OPSROOM_VM_USERNAME',
    key: 'vm.username',
    kind: 'string',
    help: 'HTTP basic auth user name on VictoriaMetrics (its -httpAuth.username), with --vm-password',
  },
  {
    flag: 'vm-password',
    env: 'OPSROOM_VM_PASSWORD',
    key: 'vm.password',
    kind: 'string',
    help: 'its password (-httpAuth.password; prefer the env var: flags show in `ps`)',
  },
  {
    flag: 'influx-token',
    env: 'OPSROOM_INFLUX_TOKEN',
    key: 'influx.token',
    kind: 'string',
    help: 'InfluxDB API token (prefer the env var: flags show in `ps`)',
  },
  {
    flag: 'tls-cert',
    env: 'OPSROOM_TLS_CERT',
    key: 'tlsCert',
    kind: 'path',
    help: 'PEM certificate file: serve HTTPS and mqtts (with --tls-key)',
  },
  { flag: 'tls-key', env: 'OPSROOM_TLS_KEY', key: 'tlsKey', kind: 'path', help: 'PEM private key file for --tls-cert' },
  {
    flag: 'log-level',
    env: 'OPSROOM_LOG_LEVEL',
    key: 'logLevel',
    kind: 'logLevel',
    help:
      `log level: ${LOG_LEVELS.join(' | ')} (default ${DEFAULTS.logLevel}; ` +
      `debug and trace also log every HTTP request)`,
  },
  {
    flag: 'rollup-period',
    env: 'OPSROOM_ROLLUP_PERIOD_MS',
    key: 'rollupPeriodMs',
    kind: 'ms',
    help: `roll-up and staleness period, ms (default ${DEFAULTS.rollupPeriodMs})`,
  },
  {
    flag: 'detector-checkpoint-ms',
    env: 'OPSROOM_DETECTOR_CHECKPOINT_MS',
    key: 'detectorCheckpointMs',
    kind: 'msOrOff',
    help:
      `how often every detector's state is saved to <data-dir>/detectors.ckpt, ms (default ` +
      `${DEFAULTS.detectorCheckpointMs}); 0: only at a clean stop (a crash then restarts them from the last one)`,
  },
  {
    flag: 'retention-raw',
    env: 'OPSROOM_RETENTION_RAW',
    key: 'retention.rawMs',
    kind: 'duration',
    help:
      `how long the embedded and memory stores keep raw readings, e.g. 36h, ` +
      `7d, 2w (default ${formatDuration(DEFAULTS.retention.rawMs)})`,
  },
  {
    flag: 'retention-minute',
    env: 'OPSROOM_RETENTION_MINUTE',
    key: 'retention.minuteMs',
    kind: 'duration',
    help:
      `how long it keeps 1-minute roll-ups, at least --retention-raw ` +
      `(default ${formatDuration(DEFAULTS.retention.minuteMs)})`,
  },
  {
    flag: 'retention-hour',
    env: 'OPSROOM_RETENTION_HOUR',
    key: 'retention.hourMs',
    kind: 'durationOrForever',
    help:
      `how long it keeps 1-hour roll-ups, at least --retention-minute, or ` +
      (`forever (default ` +
        `${DEFAULTS.retention.hourMs === undefined ? 'forever' : formatDuration(DEFAULTS.retention.hourMs)})`),
  },
] as const;

export type OptionFlag = (typeof OPTIONS)[number]['flag'];

/** Marks `forever` in a parsed retention: the tier is never deleted (RetentionPolicy without hourMs). */
const FOREVER = Infinity;

function parseValue(kind: string, name: string, raw: string): string | number | boolean {
  switch (kind) {
    case 'onOff':
      if (raw === 'on' || raw === 'off') return raw === 'on';
      throw new ConfigError(`${name} must be on or off, got ${JSON.stringify(raw)}`);
    case 'port': {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw new ConfigError(`${name} must be a port number 0–65535, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'ms': {
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0)
        throw new ConfigError(`${name} must be a positive number of milliseconds, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'msOrOff': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(n) || n < 0)
        throw new ConfigError(`${name} must be a number of milliseconds >= 0 (0: off), got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'url': {
      try {
        new URL(raw);
      } catch {
        throw new ConfigError(`${name} must be a URL, got ${JSON.stringify(raw)}`);
      }
      if (name.includes('broker') || name.includes('uplink')) {
        const broker = parseBrokerUrlParts(raw);
        if (typeof broker === 'string') throw new ConfigError(`${name} ${broker}`);
      }
      return raw;
    }
    case 'duration':
    case 'durationOrForever': {
      if (kind === 'durationOrForever' && raw === 'forever') return FOREVER;
      const ms = parseDuration(raw);
      const what =
        kind === 'durationOrForever' ? 'a duration like 36h, 90d or 52w, or forever' : 'a duration like 36h, 7d or 2w';
      if (ms === null)
        throw new ConfigError(`${name} must be ${what} (whole hours, days or weeks), got ${JSON.stringify(raw)}`);
      if (ms < MIN_RETENTION_MS)
        throw new ConfigError(`${name} must be at least 1h (retention runs hourly), got ${JSON.stringify(raw)}`);
      if (ms > MAX_RETENTION_MS)
        throw new ConfigError(
          `${name} must be at most 100 ` +
            `years${kind === 'durationOrForever' ? ' (or forever)' : ''}, got ${JSON.stringify(raw)}`,
        );
      return ms;
    }
    case 'logLevel':
      if (!(LOG_LEVELS as readonly string[]).includes(raw))
        throw new ConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`);
      return raw;
    case 'httpUrl':
      if (!/^https?:\/\/[^/]/.test(raw) || !URL.canParse(raw))
        throw new ConfigError(`${name} must be an http:// or https:// URL, got ${JSON.stringify(raw)}`);
      return raw;
    case 'redisUrl':
      if (!/^rediss?:\/\/[^/]/.test(raw) || !URL.canParse(raw))
        throw new ConfigError(`${name} must be a redis:// or rediss:// URL, got ${JSON.stringify(raw)}`);
      return raw;
    case 'addresses': {
      const bad = raw.split(',').find((a) => !/^[0-9a-f.:]+(\/\d{1,3})?$/i.test(a.trim()));
      if (bad !== undefined)
        throw new ConfigError(`${name} must be IP addresses or CIDRs separated by commas, got ${JSON.stringify(bad)}`);
      return raw;
    }
    case 'serverId':
      if (!/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(raw))
        throw new ConfigError(`${name} must be a server id from the model's servers:, got ${JSON.stringify(raw)}`);
      return raw;
    case 'storeWriter':
      if (raw !== 'main' && raw !== 'thread')
        throw new ConfigError(`${name} must be main or thread, got ${JSON.stringify(raw)}`);
      return raw;
    case 'store':
      if (!isStoreKind(raw)) {
        throw new ConfigError(`${name} must be ${storeKindList()}, got ${JSON.stringify(raw)}`);
      }
      return raw;
    default:
      if (raw === '') throw new ConfigError(`${name} must not be empty`);
      return raw;
  }
}

/**
 * Builds the configuration: defaults, then `OPSROOM_…` environment variables, then flags
 * (flags win). Validated once here, then frozen.
 */
export function resolveConfig(
  flags: Partial<Record<OptionFlag, string | undefined>>,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<OpsroomConfig> = {},
): OpsroomConfig {
  const cfg: OpsroomConfig = {
    host: DEFAULTS.host,
    httpPort: DEFAULTS.httpPort,
    mqttPort: DEFAULTS.mqttPort,
    federationPort: DEFAULTS.federationPort,
    standby: false,
    dataDir: DEFAULTS.dataDir,
    model: DEFAULTS.model,
    store: DEFAULTS.store,
    storeWriter: DEFAULTS.storeWriter,
    influx: { url: DEFAULTS.influxUrl, org: DEFAULTS.influxOrg, bucket: DEFAULTS.influxBucket },
    vm: { url: DEFAULTS.vmUrl },
    rollupPeriodMs: DEFAULTS.rollupPeriodMs,
    detectorCheckpointMs: DEFAULTS.detectorCheckpointMs,
    retention: { ...DEFAULTS.retention },
    liveFlushMs: DEFAULTS.liveFlushMs,
    escalationCheckMs: DEFAULTS.escalationCheckMs,
    sessionTtlMs: DEFAULTS.sessionTtlMs,
    logLevel: DEFAULTS.logLevel,
  };
  /** The flag or variable each retention field came from, to name it in an error. */
  const retentionSet: Partial<Record<keyof RetentionPolicy, string>> = {};
  for (const opt of OPTIONS) {
    const fromFlag = flags[opt.flag];
    const fromEnv = env[opt.env];
    const raw = fromFlag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
    if (raw === undefined) continue;
    const name = fromFlag !== undefined ? `--${opt.flag}` : opt.env;
    const value = parseValue(opt.kind, name, raw);
    const [a, b] = opt.key.split('.') as [string, string | undefined];
    if (a === 'retention') retentionSet[b as keyof RetentionPolicy] = name;
    if (b) (cfg as unknown as Record<string, Record<string, unknown>>)[a]![b] = value;
    else (cfg as unknown as Record<string, unknown>)[a] = value;
  }
  if (cfg.retention.hourMs === FOREVER)
    cfg.retention = { rawMs: cfg.retention.rawMs, minuteMs: cfg.retention.minuteMs };
  Object.assign(cfg, overrides);
  checkRetention(cfg, retentionSet);
  cfg.dataDir = resolve(cfg.dataDir);
  cfg.model = resolve(cfg.model);
  if (cfg.tlsCert) cfg.tlsCert = resolve(cfg.tlsCert);
  if (cfg.tlsKey) cfg.tlsKey = resolve(cfg.tlsKey);
  if (Boolean(cfg.tlsCert) !== Boolean(cfg.tlsKey))
    throw new ConfigError('TLS needs both --tls-cert and --tls-key (OPSROOM_TLS_CERT, OPSROOM_TLS_KEY)');
  for (const f of [cfg.tlsCert, cfg.tlsKey]) {
    if (f && !existsSync(f)) throw new ConfigError(`TLS file ${f} does not exist`);
  }
  if (cfg.replicaOf && !cfg.redisUrl)
    throw new ConfigError(
      '--replica-of needs --redis-url (OPSROOM_REDIS_URL): a replica hears live events through the Redis its owner ' +
        'publishes them to',
    );
  if (cfg.brokerUrl) checkBrokerCredentials(cfg.brokerUrl, cfg);
  if (cfg.brokerCa) {
    cfg.brokerCa = resolve(cfg.brokerCa);
    checkBrokerCa(cfg.brokerCa, cfg.brokerUrl);
  }
  if (cfg.store === 'influxdb' && !cfg.influx.token) {
    throw new ConfigError('--store influxdb needs a token: set OPSROOM_INFLUX_TOKEN (or --influx-token)');
  }
  return Object.freeze({
    ...cfg,
    influx: Object.freeze({ ...cfg.influx }),
    vm: Object.freeze({ ...cfg.vm }),
    retention: Object.freeze({ ...cfg.retention }),
  });
}

/**
 * Refuses a retention whose coarser tier would be deleted before a finer one (a window query over
 * old data would find neither), and retention settings given to a store that keeps data for its
 * own retention period (they would silently do nothing).
 */
function checkRetention(cfg: OpsroomConfig, set: Partial<Record<keyof RetentionPolicy, string>>): void {
  const named = (field: keyof RetentionPolicy, flag: string) =>
    `${set[field] ?? `the default ${flag}`} ` +
    `(${cfg.retention[field] === undefined ? 'forever' : formatDuration(cfg.retention[field])})`;
  const { rawMs, minuteMs, hourMs } = cfg.retention;
  if (minuteMs < rawMs)
    throw new ConfigError(
      `${named('minuteMs', '--retention-minute')} must be at least ` +
        `${named('rawMs', '--retention-raw')}: 1-minute roll-ups must outlive ` +
        `the raw readings they summarise`,
    );
  if (hourMs !== undefined && hourMs < minuteMs)
    throw new ConfigError(
      `${named('hourMs', '--retention-hour')} must be at least ` +
        `${named('minuteMs', '--retention-minute')}: 1-hour roll-ups must ` +
        `outlive the 1-minute ones (or be kept forever)`,
    );
  const given = Object.values(set);
  if (given.length > 0 && (cfg.store === 'victoriametrics' || cfg.store === 'influxdb')) {
    const own =
      cfg.store === 'victoriametrics'
        ? "VictoriaMetrics' -retentionPeriod flag"
        : "the InfluxDB bucket's retention period";
    const list = given.join(', ');
    throw new ConfigError(
      `${list} ${given.length === 1 ? 'applies' : 'apply'} to the embedded ` +
        `and memory stores only; --store ${cfg.store} keeps data for ${own}: ` +
        `set it there and remove ${list}`,
    );
  }
  try {
    checkRetentionPolicy(cfg.retention); // what start options passed in
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/**
 * Refuses a user name or password given both in the broker URL and in its own setting (which would win is not obvious).
 */
function checkBrokerCredentials(url: string, cfg: Pick<OpsroomConfig, 'brokerUsername' | 'brokerPassword'>): void {
  const inUrl = brokerConnection(url); // also refuses a bad %-escape
  for (const [part, setting, env] of [
    ['user name', cfg.brokerUsername, 'OPSROOM_BROKER_USERNAME'],
    ['password', cfg.brokerPassword, 'OPSROOM_BROKER_PASSWORD'],
  ] as const) {
    const fromUrl = part === 'password' ? inUrl.password : inUrl.username;
    if (setting !== undefined && fromUrl !== undefined)
      throw new ConfigError(
        `the broker ${part} is set twice, in the broker URL and in ${env}; keep ${env} and remove it from the URL`,
      );
  }
}

/** Refuses a --broker-ca that could not take effect, or that is not a PEM certificate file. */
function checkBrokerCa(file: string, brokerUrl: string | undefined): void {
  const scheme = brokerUrl ? brokerUrl.slice(0, brokerUrl.indexOf(':')).toLowerCase() : '';
  if (scheme !== 'mqtts' && scheme !== 'wss')
    throw new ConfigError(
      `--broker-ca (OPSROOM_BROKER_CA) is for an external broker over TLS: give --broker-url as mqtts://… or wss://…` +
        (brokerUrl ? ` (it is ${scheme}://)` : ' (none is set: the embedded broker is used)'),
    );
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`--broker-ca: cannot read ${file}: ${(err as Error).message}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError(`--broker-ca: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
}

/** The PEM certificate and key read from --tls-cert and --tls-key, or undefined when TLS is not configured. */
export function tlsFiles(config: Pick<OpsroomConfig, 'tlsCert' | 'tlsKey'>): { cert: Buffer; key: Buffer } | undefined {
  return config.tlsCert && config.tlsKey
    ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }
    : undefined;
}
