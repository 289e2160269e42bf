import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseBrokerUrlParts } from '@opsroom/models';
import { ConfigError } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import { isStoreKind, STORE_KINDS, storeKindList, type StoreKind } from '../store/store-kinds.js';
import { brokerConnection } from '../ingest/broker-credentials.js';

/** The validated, frozen configuration of one server process. */
export interface OpsroomConfig {
  host: string;
  httpPort: number;
  /** Port of the embedded broker; unused when brokerUrl is set. */
  mqttPort: number;
  dataDir: string;
  model: string;
  /** An external MQTT broker (mqtt://host:1883) instead of the embedded one. */
  brokerUrl?: string;
  /** The server's user name and password on the external broker; each also accepted (percent-encoded) in brokerUrl, not both. */
  brokerUsername?: string;
  brokerPassword?: string;
  store: StoreKind;
  /**
   * Where the embedded store runs its write transactions: `main` (the event loop, the default) or
   * `thread` (a worker thread with its own connection). See README's performance section.
   */
  storeWriter: 'main' | 'thread';
  influx: { url: string; org: string; bucket: string; token?: string };
  /** VictoriaMetrics (`--store victoriametrics`): its base URL. */
  vm: { url: string };
  rollupPeriodMs: number;
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

/** The options a user sets: CLI flag name, env var, and how to parse it. */
export const OPTIONS = [
  { flag: 'http-port', env: 'OPSROOM_HTTP_PORT', key: 'httpPort', kind: 'port', help: `HTTP port for the API and UI (0 = any free port; default ${DEFAULTS.httpPort})` },
  { flag: 'mqtt-port', env: 'OPSROOM_MQTT_PORT', key: 'mqttPort', kind: 'port', help: `embedded MQTT broker port (0 = any free port; default ${DEFAULTS.mqttPort})` },
  { flag: 'host', env: 'OPSROOM_HOST', key: 'host', kind: 'string', help: `address to listen on (default ${DEFAULTS.host})` },
  { flag: 'data-dir', env: 'OPSROOM_DATA_DIR', key: 'dataDir', kind: 'path', help: `embedded store and alert state directory (default ${DEFAULTS.dataDir})` },
  { flag: 'model', env: 'OPSROOM_MODEL', key: 'model', kind: 'path', help: `model file (YAML) describing the organisation (default ${DEFAULTS.model})` },
  { flag: 'broker-url', env: 'OPSROOM_BROKER_URL', key: 'brokerUrl', kind: 'url', help: 'external MQTT broker, e.g. mqtt://127.0.0.1:1883 (default: embedded aedes)' },
  { flag: 'broker-username', env: 'OPSROOM_BROKER_USERNAME', key: 'brokerUsername', kind: 'string', help: "the server's user name on the external broker" },
  { flag: 'broker-password', env: 'OPSROOM_BROKER_PASSWORD', key: 'brokerPassword', kind: 'string', help: 'its password, as written (no URL encoding; prefer the env var: flags show in `ps`)' },
  { flag: 'store', env: 'OPSROOM_STORE', key: 'store', kind: 'store', help: `time-series store: ${STORE_KINDS.join(' | ')} (default ${DEFAULTS.store})` },
  { flag: 'store-writer', env: 'OPSROOM_STORE_WRITER', key: 'storeWriter', kind: 'storeWriter', help: `embedded store writes on the main event loop or in a worker thread: main | thread (default ${DEFAULTS.storeWriter})` },
  { flag: 'influx-url', env: 'OPSROOM_INFLUX_URL', key: 'influx.url', kind: 'url', help: `InfluxDB 2 URL (default ${DEFAULTS.influxUrl})` },
  { flag: 'influx-org', env: 'OPSROOM_INFLUX_ORG', key: 'influx.org', kind: 'string', help: `InfluxDB organisation (default ${DEFAULTS.influxOrg})` },
  { flag: 'influx-bucket', env: 'OPSROOM_INFLUX_BUCKET', key: 'influx.bucket', kind: 'string', help: `InfluxDB bucket (default ${DEFAULTS.influxBucket})` },
  { flag: 'vm-url', env: 'OPSROOM_VM_URL', key: 'vm.url', kind: 'httpUrl', help: `VictoriaMetrics URL for --store victoriametrics (default ${DEFAULTS.vmUrl})` },
  { flag: 'influx-token', env: 'OPSROOM_INFLUX_TOKEN', key: 'influx.token', kind: 'string', help: 'InfluxDB API token (prefer the env var: flags show in `ps`)' },
  { flag: 'tls-cert', env: 'OPSROOM_TLS_CERT', key: 'tlsCert', kind: 'path', help: 'PEM certificate file: serve HTTPS and mqtts (with --tls-key)' },
  { flag: 'tls-key', env: 'OPSROOM_TLS_KEY', key: 'tlsKey', kind: 'path', help: 'PEM private key file for --tls-cert' },
  { flag: 'log-level', env: 'OPSROOM_LOG_LEVEL', key: 'logLevel', kind: 'logLevel', help: `log level: ${LOG_LEVELS.join(' | ')} (default ${DEFAULTS.logLevel}; debug and trace also log every HTTP request)` },
  { flag: 'rollup-period', env: 'OPSROOM_ROLLUP_PERIOD_MS', key: 'rollupPeriodMs', kind: 'ms', help: `roll-up and staleness period, ms (default ${DEFAULTS.rollupPeriodMs})` },
] as const;

export type OptionFlag = (typeof OPTIONS)[number]['flag'];

function parseValue(kind: string, name: string, raw: string): string | number {
  switch (kind) {
    case 'port': {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name} must be a port number 0–65535, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'ms': {
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be a positive number of milliseconds, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'url': {
      try {
        new URL(raw);
      } catch {
        throw new ConfigError(`${name} must be a URL, got ${JSON.stringify(raw)}`);
      }
      if (name.includes('broker')) {
        const broker = parseBrokerUrlParts(raw);
        if (typeof broker === 'string') throw new ConfigError(`${name} ${broker}`);
      }
      return raw;
    }
    case 'logLevel':
      if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`);
      return raw;
    case 'httpUrl':
      if (!/^https?:\/\/[^/]/.test(raw) || !URL.canParse(raw)) throw new ConfigError(`${name} must be an http:// or https:// URL, got ${JSON.stringify(raw)}`);
      return raw;
    case 'storeWriter':
      if (raw !== 'main' && raw !== 'thread') throw new ConfigError(`${name} must be main or thread, got ${JSON.stringify(raw)}`);
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
export function resolveConfig(flags: Partial<Record<OptionFlag, string | undefined>>, env: NodeJS.ProcessEnv = process.env, overrides: Partial<OpsroomConfig> = {}): OpsroomConfig {
  const cfg: OpsroomConfig = {
    host: DEFAULTS.host,
    httpPort: DEFAULTS.httpPort,
    mqttPort: DEFAULTS.mqttPort,
    dataDir: DEFAULTS.dataDir,
    model: DEFAULTS.model,
    store: DEFAULTS.store,
    storeWriter: DEFAULTS.storeWriter,
    influx: { url: DEFAULTS.influxUrl, org: DEFAULTS.influxOrg, bucket: DEFAULTS.influxBucket },
    vm: { url: DEFAULTS.vmUrl },
    rollupPeriodMs: DEFAULTS.rollupPeriodMs,
    liveFlushMs: DEFAULTS.liveFlushMs,
    escalationCheckMs: DEFAULTS.escalationCheckMs,
    sessionTtlMs: DEFAULTS.sessionTtlMs,
    logLevel: DEFAULTS.logLevel,
  };
  for (const opt of OPTIONS) {
    const fromFlag = flags[opt.flag];
    const fromEnv = env[opt.env];
    const raw = fromFlag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
    if (raw === undefined) continue;
    const value = parseValue(opt.kind, fromFlag !== undefined ? `--${opt.flag}` : opt.env, raw);
    const [a, b] = opt.key.split('.') as [string, string | undefined];
    if (b) (cfg as unknown as Record<string, Record<string, unknown>>)[a]![b] = value;
    else (cfg as unknown as Record<string, unknown>)[a] = value;
  }
  Object.assign(cfg, overrides);
  cfg.dataDir = resolve(cfg.dataDir);
  cfg.model = resolve(cfg.model);
  if (cfg.tlsCert) cfg.tlsCert = resolve(cfg.tlsCert);
  if (cfg.tlsKey) cfg.tlsKey = resolve(cfg.tlsKey);
  if (Boolean(cfg.tlsCert) !== Boolean(cfg.tlsKey)) throw new ConfigError('TLS needs both --tls-cert and --tls-key (OPSROOM_TLS_CERT, OPSROOM_TLS_KEY)');
  for (const f of [cfg.tlsCert, cfg.tlsKey]) {
    if (f && !existsSync(f)) throw new ConfigError(`TLS file ${f} does not exist`);
  }
  if (cfg.brokerUrl) checkBrokerCredentials(cfg.brokerUrl, cfg);
  if (cfg.store === 'influxdb' && !cfg.influx.token) {
    throw new ConfigError('--store influxdb needs a token: set OPSROOM_INFLUX_TOKEN (or --influx-token)');
  }
  return Object.freeze({ ...cfg, influx: Object.freeze({ ...cfg.influx }), vm: Object.freeze({ ...cfg.vm }) });
}

/** Refuses a user name or password given both in the broker URL and in its own setting (which would win is not obvious). */
function checkBrokerCredentials(url: string, cfg: Pick<OpsroomConfig, 'brokerUsername' | 'brokerPassword'>): void {
  const inUrl = brokerConnection(url); // also refuses a bad %-escape
  for (const [part, setting, env] of [['user name', cfg.brokerUsername, 'OPSROOM_BROKER_USERNAME'], ['password', cfg.brokerPassword, 'OPSROOM_BROKER_PASSWORD']] as const) {
    const fromUrl = part === 'password' ? inUrl.password : inUrl.username;
    if (setting !== undefined && fromUrl !== undefined) throw new ConfigError(`the broker ${part} is set twice, in the broker URL and in ${env}; keep ${env} and remove it from the URL`);
  }
}
