import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { DEVICE_ID_PATTERN, METRIC_PATTERN } from '@opsroom/models';
import { DEMO_WORKSHOP_METRICS, type SimulatedMetric } from '../sources/simulated-workshop.js';
import { fnv1a } from '../sources/prng.js';
import { parseJsonPath } from '../sources/json-path.js';
import { REGISTER_TYPES, type RegisterDef } from '../sources/modbus-source.js';
import type { OutputFormat } from '../sources/parse-output.js';

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
export type SourceConfig = SimulatedSourceConfig | CsvSourceConfig | CommandSourceConfig | HttpSourceConfig | HostSourceConfig | ModbusSourceConfig;
export type SourceKind = SourceConfig['kind'];
export const SOURCE_KINDS: readonly SourceKind[] = ['simulated', 'csv', 'command', 'http', 'host', 'modbus'];

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

/** What a caller must give; everything else has a default (`AGENT_DEFAULTS`). `source` is shorthand for a one-item `sources`. */
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

const TOP_FIELDS = ['deviceId', 'secret', 'brokerUrl', 'tls', 'sampleIntervalMs', 'batchMax', 'maxMessagesPerSecond', 'reconnectPeriodMs', 'connectTimeoutMs', 'flushTimeoutMs', 'statusIntervalMs', 'bufferDir', 'bufferMaxReadings', 'source', 'sources'] as const;
const COMMON_FIELDS = ['kind', 'name', 'intervalMs'];
const SOURCE_FIELDS: Record<SourceKind, readonly string[]> = {
  simulated: [...COMMON_FIELDS, 'seed', 'metrics'],
  csv: [...COMMON_FIELDS, 'file', 'speed', 'metric', 'loop', 'timestamps'],
  command: [...COMMON_FIELDS, 'command', 'format', 'timeoutMs', 'prefix'],
  http: [...COMMON_FIELDS, 'url', 'metrics', 'headers', 'timeoutMs'],
  host: [...COMMON_FIELDS, 'prefix', 'disks'],
  modbus: [...COMMON_FIELDS, 'host', 'port', 'unitId', 'timeoutMs', 'registers'],
};
const TLS_FIELDS = ['ca', 'cert', 'key', 'rejectUnauthorized'] as const;
const METRIC_FIELDS = ['base', 'noise', 'daily', 'weekly', 'min', 'max', 'decimals'] as const;
const REGISTER_FIELDS = ['metric', 'table', 'address', 'type', 'wordOrder', 'scale', 'offset'] as const;
/** The URL schemes a brokerUrl may use (the publisher's transports, publish/mqtt-transport.ts). */
export const BROKER_PROTOCOLS = Object.freeze(['mqtt', 'mqtts', 'ws', 'wss'] as const);
export type BrokerProtocol = (typeof BROKER_PROTOCOLS)[number];
/** The server refuses payloads over 256 KiB; 2,000 readings of the longest metric ids stay under it. */
const MAX_BATCH = 2000;
const METRIC_RULE = { pattern: METRIC_PATTERN, what: 'a metric id (a letter, then letters, digits, _; at most 64)' };
const PREFIX_RULE = { pattern: /^([A-Za-z][A-Za-z0-9_]{0,31})?$/, what: 'a metric id prefix (a letter, then letters, digits, _)' };

/** A configuration the agent cannot run with. `field` is the dotted path of the culprit. */
export class AgentConfigError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(`${file ? `${file}${line ? `:${line}` : ''}: ` : ''}${field ? `${field}: ` : ''}${problem}`);
    this.name = 'AgentConfigError';
  }
}

type Path = (string | number)[];
type Locate = (path: Path) => number | undefined;

const fieldName = (path: Path) => path.join('.');
const show = (x: unknown) => (typeof x === 'string' ? JSON.stringify(x) : String(x));

class Checker {
  constructor(
    private readonly file: string | undefined,
    private readonly locate: Locate,
  ) {}

  fail(path: Path, problem: string): never {
    throw new AgentConfigError(fieldName(path), problem, this.file, this.locate(path));
  }

  object(x: unknown, path: Path, allowed: readonly string[]): Record<string, unknown> {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) this.fail(path, `must be a mapping of fields, got ${Array.isArray(x) ? 'a list' : show(x)}`);
    const o = x as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.fail([...path, k], `unknown field; expected one of ${allowed.join(', ')}`);
    }
    return o;
  }

  string(x: unknown, path: Path, rule?: { pattern: RegExp; what: string }): string {
    if (typeof x !== 'string' || x === '') this.fail(path, `must be a non-empty string, got ${x === undefined ? 'nothing' : show(x)}`);
    if (rule && !rule.pattern.test(x)) this.fail(path, `${show(x)} is not ${rule.what}`);
    return x;
  }

  oneOf<T extends string>(x: unknown, path: Path, allowed: readonly T[], dflt: T): T {
    if (x === undefined) return dflt;
    if (typeof x !== 'string' || !allowed.includes(x as T)) this.fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${show(x)}`);
    return x as T;
  }

  boolean(x: unknown, path: Path, dflt: boolean): boolean {
    if (x === undefined) return dflt;
    if (typeof x !== 'boolean') this.fail(path, `must be true or false, got ${show(x)}`);
    return x;
  }

  stringMap(x: unknown, path: Path, keyRule?: { pattern: RegExp; what: string }): Record<string, string> {
    if (x === undefined) return {};
    const o = this.object(x, path, Object.keys((x as object) ?? {}));
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) {
      if (keyRule && !keyRule.pattern.test(k)) this.fail([...path, k], `${show(k)} is not ${keyRule.what}`);
      out[k] = this.string(v, [...path, k]);
    }
    return out;
  }

  number(x: unknown, path: Path, opts: { integer?: boolean; min?: number; max?: number; unit?: string } = {}): number {
    const unit = opts.unit ? ` (${opts.unit})` : '';
    const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
    const want = `${opts.integer ? 'an integer' : 'a number'}${range ? ' ' + range : ''}${unit}`;
    if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(path, `must be ${want}, got ${x === undefined ? 'nothing' : show(x)}`);
    if ((opts.integer && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min) || (opts.max !== undefined && x > opts.max)) {
      this.fail(path, `must be ${want}, got ${x}`);
    }
    return x;
  }
}

/**
 * Validates a configuration object, fills in the defaults and freezes it. Throws an
 * AgentConfigError naming the field (and, via `parseAgentConfig`, the file and line).
 * With `baseDir`, relative file paths (bufferDir, tls files, csv files) are taken from it.
 */
export function resolveAgentConfig(input: unknown, file?: string, locate: Locate = () => undefined, baseDir?: string): AgentConfig {
  const c: Checker = new Checker(file, locate);
  const at = (p: string) => (baseDir === undefined || isAbsolute(p) ? p : resolve(baseDir, p));
  const o = c.object(input, [], TOP_FIELDS);
  const deviceId = c.string(o.deviceId, ['deviceId'], { pattern: DEVICE_ID_PATTERN, what: 'a device id (1-64 of letters, digits, ".", "_", "-", starting with a letter or digit)' });
  const secret = c.string(o.secret, ['secret']);
  const brokerUrl = c.string(o.brokerUrl, ['brokerUrl']);
  let url: URL;
  try {
    url = new URL(brokerUrl);
  } catch {
    c.fail(['brokerUrl'], `${show(brokerUrl)} is not a URL; write e.g. mqtt://localhost:1883`);
  }
  if (!(BROKER_PROTOCOLS as readonly string[]).includes(url.protocol.slice(0, -1))) c.fail(['brokerUrl'], `protocol must be one of ${BROKER_PROTOCOLS.map((p) => p + '://').join(', ')}, got ${url.protocol}//`);

  let tls: TlsConfig | undefined;
  if (o.tls !== undefined && o.tls !== null) {
    const t = c.object(o.tls, ['tls'], TLS_FIELDS);
    if (url.protocol !== 'mqtts:' && url.protocol !== 'wss:') c.fail(['tls'], `is only used with mqtts:// or wss:// brokers, but brokerUrl is ${url.protocol}//`);
    tls = { rejectUnauthorized: c.boolean(t.rejectUnauthorized, ['tls', 'rejectUnauthorized'], true) };
    for (const k of ['ca', 'cert', 'key'] as const) if (t[k] !== undefined) tls[k] = at(c.string(t[k], ['tls', k]));
    if ((tls.cert === undefined) !== (tls.key === undefined)) c.fail(['tls', tls.cert === undefined ? 'cert' : 'key'], 'a client certificate needs both tls.cert and tls.key');
    Object.freeze(tls);
  }

  const num = (key: keyof typeof AGENT_DEFAULTS, opts: Parameters<Checker['number']>[2]) => (o[key] === undefined ? AGENT_DEFAULTS[key] : c.number(o[key], [key], opts));
  const sampleIntervalMs = num('sampleIntervalMs', { integer: true, min: 1, unit: 'ms' });
  const batchMax = num('batchMax', { integer: true, min: 1, max: MAX_BATCH, unit: 'readings per message' });
  const maxMessagesPerSecond = num('maxMessagesPerSecond', { min: 0.001, unit: 'messages per second' });
  const reconnectPeriodMs = num('reconnectPeriodMs', { integer: true, min: 1, unit: 'ms' });
  const connectTimeoutMs = num('connectTimeoutMs', { integer: true, min: 1, unit: 'ms' });
  const flushTimeoutMs = num('flushTimeoutMs', { integer: true, min: 0, unit: 'ms' });
  const statusIntervalMs = num('statusIntervalMs', { integer: true, min: 100, unit: 'ms' });
  const bufferMaxReadings = num('bufferMaxReadings', { integer: true, min: 1, unit: 'readings' });
  const bufferDir = o.bufferDir === undefined || o.bufferDir === null ? undefined : at(c.string(o.bufferDir, ['bufferDir']));

  if (o.source !== undefined && o.sources !== undefined) c.fail(['sources'], 'give either `source` (one) or `sources` (a list), not both');
  let raw: Array<[unknown, Path]>;
  if (o.sources !== undefined) {
    if (!Array.isArray(o.sources)) c.fail(['sources'], `must be a list of sources, got ${show(o.sources)}`);
    if (o.sources.length === 0) c.fail(['sources'], 'must list at least one source (or be omitted for the simulated workshop)');
    raw = o.sources.map((x, i) => [x, ['sources', i]]);
  } else raw = [[o.source ?? {}, ['source']]];
  const names = new Set<string>();
  const sources = raw.map(([x, path], i) => {
    const src = resolveSource(c, x, path, i, { deviceId, sampleIntervalMs, at });
    if (names.has(src.name)) c.fail([...path, 'name'], `${show(src.name)} names another source too; source names must be unique`);
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

function resolveSource(c: Checker, x: unknown, p: Path, index: number, ctx: { deviceId: string; sampleIntervalMs: number; at: (path: string) => string }): SourceConfig {
  const pre = c.object(x, p, Object.values(SOURCE_FIELDS).flat());
  const kind = c.oneOf(pre.kind, [...p, 'kind'], SOURCE_KINDS, 'simulated');
  const s = c.object(x, p, SOURCE_FIELDS[kind]);
  const name = s.name === undefined ? `${kind}-${index}` : c.string(s.name, [...p, 'name'], { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, what: 'a source name (letters, digits, ".", "_", "-")' });
  const intervalMs = s.intervalMs === undefined ? ctx.sampleIntervalMs : c.number(s.intervalMs, [...p, 'intervalMs'], { integer: true, min: 1, unit: 'ms' });
  const timeoutMs = (dflt: number) => (s.timeoutMs === undefined ? dflt : c.number(s.timeoutMs, [...p, 'timeoutMs'], { integer: true, min: 1, unit: 'ms' }));
  const common = { name, intervalMs };
  switch (kind) {
    case 'simulated': {
      const seed = s.seed === undefined ? fnv1a(ctx.deviceId) : c.number(s.seed, [...p, 'seed'], { integer: true, min: 0, max: 0xffffffff });
      return { kind, ...common, seed: seed >>> 0, metrics: Object.freeze(simulatedMetrics(c, s.metrics, [...p, 'metrics'])) };
    }
    case 'csv': {
      const timestamps = c.oneOf(s.timestamps, [...p, 'timestamps'], ['replay', 'original'] as const, 'replay');
      const loop = c.boolean(s.loop, [...p, 'loop'], false);
      if (loop && timestamps === 'original') c.fail([...p, 'loop'], 'cannot loop with timestamps: original (every loop would repeat the same keys, which the server stores once)');
      const src: CsvSourceConfig = { kind, ...common, file: ctx.at(c.string(s.file, [...p, 'file'])), speed: s.speed === undefined ? 1 : c.number(s.speed, [...p, 'speed'], { min: 0.000001, unit: 'times the recorded pace' }), loop, timestamps };
      if (s.metric !== undefined) src.metric = c.string(s.metric, [...p, 'metric'], METRIC_RULE);
      return src;
    }
    case 'command': {
      let command: string | string[];
      if (Array.isArray(s.command)) {
        if (s.command.length === 0) c.fail([...p, 'command'], 'must name a program');
        command = s.command.map((a, i) => c.string(a, [...p, 'command', i]));
      } else command = c.string(s.command, [...p, 'command']);
      return { kind, ...common, command, format: c.oneOf(s.format, [...p, 'format'], ['auto', 'keyvalue', 'json'] as const, 'auto'), timeoutMs: timeoutMs(10_000), prefix: s.prefix === undefined ? '' : c.string(s.prefix, [...p, 'prefix'], PREFIX_RULE) };
    }
    case 'http': {
      const urlText = c.string(s.url, [...p, 'url']);
      let u: URL | undefined;
      try {
        u = new URL(urlText);
      } catch {
        /* below */
      }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) c.fail([...p, 'url'], `${show(urlText)} is not an http:// or https:// URL`);
      if (s.metrics === undefined) c.fail([...p, 'metrics'], 'must map at least one metric id to a path, e.g. temperature: $.sensors.t1');
      const metrics = c.stringMap(s.metrics, [...p, 'metrics'], METRIC_RULE);
      if (Object.keys(metrics).length === 0) c.fail([...p, 'metrics'], 'must map at least one metric id to a path, e.g. temperature: $.sensors.t1');
      for (const [m, path] of Object.entries(metrics)) {
        try {
          parseJsonPath(path);
        } catch (err) {
          c.fail([...p, 'metrics', m], (err as Error).message);
        }
      }
      return { kind, ...common, url: urlText, metrics: Object.freeze(metrics), headers: Object.freeze(c.stringMap(s.headers, [...p, 'headers'])), timeoutMs: timeoutMs(5000) };
    }
    case 'host': {
      const disks = s.disks === undefined ? { root: '/' } : c.stringMap(s.disks, [...p, 'disks'], { pattern: /^[A-Za-z0-9_]{1,32}$/, what: 'a disk label (letters, digits, _)' });
      return { kind, ...common, prefix: s.prefix === undefined ? 'host_' : c.string(s.prefix, [...p, 'prefix'], PREFIX_RULE), disks: Object.freeze(disks) };
    }
    case 'modbus': {
      if (!Array.isArray(s.registers) || s.registers.length === 0) c.fail([...p, 'registers'], 'must list at least one register, e.g. - { metric: temperature, address: 0, scale: 0.1 }');
      const seen = new Set<string>();
      const registers = (s.registers as unknown[]).map((r, i) => {
        const rp = [...p, 'registers', i];
        const o = c.object(r, rp, REGISTER_FIELDS);
        const def: RegisterDef = {
          metric: c.string(o.metric, [...rp, 'metric'], METRIC_RULE),
          table: c.oneOf(o.table, [...rp, 'table'], ['holding', 'input'] as const, 'holding'),
          address: c.number(o.address, [...rp, 'address'], { integer: true, min: 0, max: 65535 }),
          type: c.oneOf(o.type, [...rp, 'type'], REGISTER_TYPES, 'uint16'),
          wordOrder: c.oneOf(o.wordOrder, [...rp, 'wordOrder'], ['big', 'little'] as const, 'big'),
          scale: o.scale === undefined ? 1 : c.number(o.scale, [...rp, 'scale']),
          offset: o.offset === undefined ? 0 : c.number(o.offset, [...rp, 'offset']),
        };
        if (seen.has(def.metric)) c.fail([...rp, 'metric'], `${show(def.metric)} is read by another register too`);
        seen.add(def.metric);
        return Object.freeze(def);
      });
      return {
        kind,
        ...common,
        host: c.string(s.host, [...p, 'host']),
        port: s.port === undefined ? 502 : c.number(s.port, [...p, 'port'], { integer: true, min: 1, max: 65535 }),
        unitId: s.unitId === undefined ? 1 : c.number(s.unitId, [...p, 'unitId'], { integer: true, min: 0, max: 255 }),
        timeoutMs: timeoutMs(2000),
        registers: Object.freeze(registers),
      };
    }
  }
}

function simulatedMetrics(c: Checker, x: unknown, path: Path): Record<string, Readonly<SimulatedMetric>> {
  if (x === undefined) return { ...DEMO_WORKSHOP_METRICS };
  const ms = c.object(x, path, Object.keys((x as object) ?? {}));
  if (Object.keys(ms).length === 0) c.fail(path, 'must name at least one metric (or be omitted for the demo metrics)');
  const metrics: Record<string, Readonly<SimulatedMetric>> = {};
  for (const [id, raw] of Object.entries(ms)) {
    const p = [...path, id];
    if (!METRIC_PATTERN.test(id)) c.fail(p, `metric id must match ${METRIC_PATTERN} (a letter, then letters, digits, _)`);
    const m = c.object(raw, p, METRIC_FIELDS);
    const opt = (k: (typeof METRIC_FIELDS)[number], o2: Parameters<Checker['number']>[2]) => (m[k] === undefined ? undefined : c.number(m[k], [...p, k], o2));
    const def: SimulatedMetric = {
      base: c.number(m.base, [...p, 'base']),
      noise: opt('noise', { min: 0 }) ?? 0,
      daily: opt('daily', { min: 0 }) ?? 0,
      weekly: opt('weekly', { min: 0 }) ?? 0,
    };
    const min = opt('min', {});
    const max = opt('max', {});
    const decimals = opt('decimals', { integer: true, min: 0, max: 12 });
    if (min !== undefined) def.min = min;
    if (max !== undefined) def.max = max;
    if (min !== undefined && max !== undefined && min > max) c.fail([...p, 'max'], `must be >= min (${min}), got ${max}`);
    if (decimals !== undefined) def.decimals = decimals;
    metrics[id] = Object.freeze(def);
  }
  return metrics;
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

/** Reads and parses a configuration file; relative paths in it (bufferDir, tls files, csv files) are taken from the file's directory. */
export function loadAgentConfig(path: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AgentConfigError('', `cannot read the configuration file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Pass an existing file with --config.`, path);
  }
  return parseAgentConfig(text, path, dirname(resolve(path)));
}
