import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { DEVICE_ID_PATTERN, parseBrokerUrlParts } from '@opsroom/models';
import type { SimulatedMetric } from '../sources/simulated-workshop.js';
import type { RegisterDef } from '../sources/modbus-source.js';
import type { OutputFormat } from '../sources/parse-output.js';
import { SOURCE_KINDS, SOURCE_REGISTRY, type SourceKindDescriptor } from '../sources/source-kinds.js';
import { AgentConfigError, Checker, show, type Locate, type Path } from './checker.js';

export { AgentConfigError } from './checker.js';
export { SOURCE_KINDS } from '../sources/source-kinds.js';

/** Fields every source has. */
export interface SourceCommon {
  /** Names the source in logs and status; default `<kind>-<index>` (e.g. `csv-0`). Unique per agent. */
  name: string;
  /** ms between two samples of this source; default the agent's `sampleIntervalMs`. */
  intervalMs: number;
}

/** A simulated workshop (daily and weekly cycles, noise, injectable faults). */
export interface SimulatedSourceConfig extends SourceCommon {
  kind: 'simulated';
  /** Seed of the noise (an unsigned 32-bit integer). Default: a hash of the device id. */
  seed: number;
  /** Metric id -> behaviour. Default: the demo model's six metrics (`DEMO_WORKSHOP_METRICS`). */
  metrics: Readonly<Record<string, Readonly<SimulatedMetric>>>;
}

/** A recorded CSV file played back (see `CsvReplaySource`). */
export interface CsvSourceConfig extends SourceCommon {
  kind: 'csv';
  file: string;
  speed: number;
  metric?: string;
  loop: boolean;
  timestamps: 'replay' | 'original';
}

/** A command run on every sample, its output parsed (see `CommandSource`). */
export interface CommandSourceConfig extends SourceCommon {
  kind: 'command';
  command: string | readonly string[];
  format: OutputFormat;
  timeoutMs: number;
  prefix: string;
}

/** A JSON endpoint polled, one path per metric (see `HttpJsonSource`). */
export interface HttpSourceConfig extends SourceCommon {
  kind: 'http';
  url: string;
  metrics: Readonly<Record<string, string>>;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
}

/** The Linux host's load, CPU, memory and disks (see `HostMetricsSource`). */
export interface HostSourceConfig extends SourceCommon {
  kind: 'host';
  prefix: string;
  disks: Readonly<Record<string, string>>;
}

/** Registers of a Modbus TCP device (see `ModbusSource`). */
export interface ModbusSourceConfig extends SourceCommon {
  kind: 'modbus';
  host: string;
  port: number;
  unitId: number;
  timeoutMs: number;
  registers: readonly Readonly<RegisterDef>[];
}

/** Where readings come from; one variant per source kind. */
export type SourceConfig =
  | SimulatedSourceConfig
  | CsvSourceConfig
  | CommandSourceConfig
  | HttpSourceConfig
  | HostSourceConfig
  | ModbusSourceConfig;
export type SourceKind = SourceConfig['kind'];

/** TLS material for `mqtts://` and `wss://` brokers: paths of PEM files. */
export interface TlsConfig {
  /** CA certificate(s) that signed the broker's certificate; default the system's CAs. */
  ca?: string;
  /** Client certificate and its key, for brokers that authenticate devices by certificate. */
  cert?: string;
  key?: string;
  /** Refuse a broker whose certificate does not verify (default true; false only for testing). */
  rejectUnauthorized: boolean;
}

/** A validated, complete, frozen agent configuration. */
export interface AgentConfig {
  /** The device id the server knows (model `devices:`); MQTT username and topic level. */
  deviceId: string;
  /** The device's secret; MQTT password. */
  secret: string;
  /** `mqtt://host:1883`, `mqtts://host:8883`, `ws://host:8080/mqtt` or `wss://…`. */
  brokerUrl: string;
  /** TLS files for `mqtts://` and `wss://`. */
  tls?: TlsConfig;
  sampleIntervalMs: number;
  batchMax: number;
  maxMessagesPerSecond: number;
  reconnectPeriodMs: number;
  connectTimeoutMs: number;
  flushTimeoutMs: number;
  /** ms between two health reports (status topic readings and the status file). */
  statusIntervalMs: number;
  /** Directory of the SQLite outbox file and the status file; omitted means an in-memory outbox (lost on restart). */
  bufferDir?: string;
  bufferMaxReadings: number;
  /** At least one source. */
  sources: readonly SourceConfig[];
}

/** A source as a caller may write it: `kind` (default 'simulated') and that kind's fields. */
export type SourceInput = { kind?: SourceKind; name?: string; intervalMs?: number } & Record<string, unknown>;

/**
 * What a caller must give; everything else has a default (`AGENT_DEFAULTS`). `source` is shorthand for a one-item
 * `sources`.
 */
export type AgentConfigInput = Pick<AgentConfig, 'deviceId' | 'secret' | 'brokerUrl'> &
  Partial<Omit<AgentConfig, 'deviceId' | 'secret' | 'brokerUrl' | 'sources' | 'tls'>> & {
    tls?: Partial<TlsConfig>;
    source?: SourceInput;
    sources?: SourceInput[];
  };

/** Defaults, units in the comments. */
export const AGENT_DEFAULTS = Object.freeze({
  sampleIntervalMs: 1000, // ms between two samples of a source
  batchMax: 500, // readings per MQTT message, at most
  maxMessagesPerSecond: 20, // MQTT messages per second, at most (so 10,000 readings/s when draining a backlog)
  reconnectPeriodMs: 1000, // ms between reconnection attempts (mqtt.js reconnectPeriod)
  connectTimeoutMs: 10_000, // ms to wait for CONNACK
  flushTimeoutMs: 2000, // ms that stop() waits for the outbox to drain before disconnecting
  statusIntervalMs: 10_000, // ms between two health reports
  bufferMaxReadings: 1_000_000, // readings the outbox holds before dropping the oldest (~2 days of 6 metrics at 1 Hz)
});

const TOP_FIELDS = [
  'deviceId',
  'secret',
  'brokerUrl',
  'tls',
  'sampleIntervalMs',
  'batchMax',
  'maxMessagesPerSecond',
  'reconnectPeriodMs',
  'connectTimeoutMs',
  'flushTimeoutMs',
  'statusIntervalMs',
  'bufferDir',
  'bufferMaxReadings',
  'source',
  'sources',
] as const;
const COMMON_FIELDS = ['kind', 'name', 'intervalMs'];
const fieldsOf = (kind: SourceKind) => [...COMMON_FIELDS, ...SOURCE_REGISTRY[kind].fields];
const TLS_FIELDS = ['ca', 'cert', 'key', 'rejectUnauthorized'] as const;
/** The URL schemes a brokerUrl may use: models' one table (readings/broker-url.ts). */
export { BROKER_PROTOCOLS, type BrokerProtocol } from '@opsroom/models';
/** The server refuses payloads over 256 KiB; 2,000 readings of the longest metric ids stay under it. */
const MAX_BATCH = 2000;

/**
 * Validates a configuration object, fills in the defaults and freezes it. Throws an
 * AgentConfigError naming the field (and, via `parseAgentConfig`, the file and line).
 * With `baseDir`, relative file paths (bufferDir, tls files, csv files) are taken from it.
 */
export function resolveAgentConfig(
  input: unknown,
  file?: string,
  locate: Locate = () => undefined,
  baseDir?: string,
): AgentConfig {
  const c: Checker = new Checker(file, locate);
  const at = (p: string) => (baseDir === undefined || isAbsolute(p) ? p : resolve(baseDir, p));
  const o = c.object(input, [], TOP_FIELDS);
  const deviceId = c.string(o.deviceId, ['deviceId'], {
    pattern: DEVICE_ID_PATTERN,
    what: 'a device id (1-64 of letters, digits, ".", "_", "-", starting with a letter or digit)',
  });
  const secret = c.string(o.secret, ['secret']);
  const brokerUrl = c.string(o.brokerUrl, ['brokerUrl']);
  const broker = parseBrokerUrlParts(brokerUrl);
  if (typeof broker === 'string') c.fail(['brokerUrl'], broker);

  let tls: TlsConfig | undefined;
  if (o.tls !== undefined && o.tls !== null) {
    const t = c.object(o.tls, ['tls'], TLS_FIELDS);
    if (!broker.tls)
      c.fail(['tls'], `is only used with mqtts:// or wss:// brokers, but brokerUrl is ${broker.protocol}://`);
    tls = { rejectUnauthorized: c.boolean(t.rejectUnauthorized, ['tls', 'rejectUnauthorized'], true) };
    for (const k of ['ca', 'cert', 'key'] as const) if (t[k] !== undefined) tls[k] = at(c.string(t[k], ['tls', k]));
    if ((tls.cert === undefined) !== (tls.key === undefined))
      c.fail(['tls', tls.cert === undefined ? 'cert' : 'key'], 'a client certificate needs both tls.cert and tls.key');
    Object.freeze(tls);
  }

  const num = (key: keyof typeof AGENT_DEFAULTS, opts: Parameters<Checker['number']>[2]) =>
    o[key] === undefined ? AGENT_DEFAULTS[key] : c.number(o[key], [key], opts);
  const sampleIntervalMs = num('sampleIntervalMs', { integer: true, min: 1, unit: 'ms' });
  const batchMax = num('batchMax', { integer: true, min: 1, max: MAX_BATCH, unit: 'readings per message' });
  const maxMessagesPerSecond = num('maxMessagesPerSecond', { min: 0.001, unit: 'messages per second' });
  const reconnectPeriodMs = num('reconnectPeriodMs', { integer: true, min: 1, unit: 'ms' });
  const connectTimeoutMs = num('connectTimeoutMs', { integer: true, min: 1, unit: 'ms' });
  const flushTimeoutMs = num('flushTimeoutMs', { integer: true, min: 0, unit: 'ms' });
  const statusIntervalMs = num('statusIntervalMs', { integer: true, min: 100, unit: 'ms' });
  const bufferMaxReadings = num('bufferMaxReadings', { integer: true, min: 1, unit: 'readings' });
  const bufferDir =
    o.bufferDir === undefined || o.bufferDir === null ? undefined : at(c.string(o.bufferDir, ['bufferDir']));

  if (o.source !== undefined && o.sources !== undefined)
    c.fail(['sources'], 'give either `source` (one) or `sources` (a list), not both');
  let raw: Array<[unknown, Path]>;
  if (o.sources !== undefined) {
    if (!Array.isArray(o.sources)) c.fail(['sources'], `must be a list of sources, got ${show(o.sources)}`);
    if (o.sources.length === 0)
      c.fail(['sources'], 'must list at least one source (or be omitted for the simulated workshop)');
    raw = o.sources.map((x, i) => [x, ['sources', i]]);
  } else raw = [[o.source ?? {}, ['source']]];
  const names = new Set<string>();
  const sources = raw.map(([x, path], i) => {
    const src = resolveSource(c, x, path, i, { deviceId, sampleIntervalMs, at });
    if (names.has(src.name))
      c.fail([...path, 'name'], `${show(src.name)} names another source too; source names must be unique`);
    names.add(src.name);
    return Object.freeze(src);
  });

  const config: AgentConfig = {
    deviceId,
    secret,
    brokerUrl,
    sampleIntervalMs,
    batchMax,
    maxMessagesPerSecond,
    reconnectPeriodMs,
    connectTimeoutMs,
    flushTimeoutMs,
    statusIntervalMs,
    bufferMaxReadings,
    sources: Object.freeze(sources),
  };
  if (tls !== undefined) config.tls = tls;
  if (bufferDir !== undefined) config.bufferDir = bufferDir;
  return Object.freeze(config);
}

function resolveSource(
  c: Checker,
  x: unknown,
  p: Path,
  index: number,
  ctx: { deviceId: string; sampleIntervalMs: number; at: (path: string) => string },
): SourceConfig {
  const pre = c.object(x, p, [...new Set(SOURCE_KINDS.flatMap(fieldsOf))]);
  const kind = c.oneOf(pre.kind, [...p, 'kind'], SOURCE_KINDS, 'simulated');
  const s = c.object(x, p, fieldsOf(kind));
  const name =
    s.name === undefined
      ? `${kind}-${index}`
      : c.string(s.name, [...p, 'name'], {
          pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
          what: 'a source name (letters, digits, ".", "_", "-")',
        });
  const intervalMs =
    s.intervalMs === undefined
      ? ctx.sampleIntervalMs
      : c.number(s.intervalMs, [...p, 'intervalMs'], { integer: true, min: 1, unit: 'ms' });
  const timeoutMs = (dflt: number) =>
    s.timeoutMs === undefined
      ? dflt
      : c.number(s.timeoutMs, [...p, 'timeoutMs'], { integer: true, min: 1, unit: 'ms' });
  const descriptor = SOURCE_REGISTRY[kind] as unknown as SourceKindDescriptor<SourceConfig>;
  return descriptor.resolve(c, s, p, { name, intervalMs }, { deviceId: ctx.deviceId, at: ctx.at, timeoutMs });
}

/**
 * Parses and validates an agent configuration written in YAML. `file` names it in errors,
 * which read `agent.yaml:7: sampleIntervalMs: must be an integer >= 1 (ms), got "fast"`.
 * Relative paths are returned as written unless `baseDir` is given (`loadAgentConfig` passes the file's directory).
 */
export function parseAgentConfig(yamlText: string, file: string, baseDir?: string): AgentConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new AgentConfigError('', `not valid YAML: ${e.message.split('\n')[0]}`, file, lineAt(e.pos[0]));
  }
  const locate: Locate = (path) => {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineAt(node.range[0]);
    }
    return undefined;
  };
  return resolveAgentConfig(doc.toJS() ?? {}, file, locate, baseDir);
}

/**
 * Reads and parses a configuration file; relative paths in it (bufferDir, tls files, csv files) are taken from the
 * file's directory.
 */
export function loadAgentConfig(path: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AgentConfigError(
      '',
      `cannot read the configuration file: ` +
        `${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Pass ` +
        `an existing file with --config.`,
      path,
    );
  }
  return parseAgentConfig(text, path, dirname(resolve(path)));
}
