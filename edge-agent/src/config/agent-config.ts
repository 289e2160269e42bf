import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { DEVICE_ID_PATTERN, METRIC_PATTERN } from '@opsroom/models';
import { DEMO_WORKSHOP_METRICS, type SimulatedMetric } from '../sources/simulated-workshop.js';
import { fnv1a } from '../sources/prng.js';

/** A simulated workshop as the source of readings. */
export interface SimulatedSourceConfig {
  kind: 'simulated';
  /** Seed of the noise (an unsigned 32-bit integer). Default: a hash of the device id. */
  seed: number;
  /** Metric id -> behaviour. Default: the demo model's six metrics (`DEMO_WORKSHOP_METRICS`). */
  metrics: Readonly<Record<string, Readonly<SimulatedMetric>>>;
}

/** Where readings come from; one variant per source kind (only `simulated` today). */
export type SourceConfig = SimulatedSourceConfig;

/** A validated, complete, frozen agent configuration. */
export interface AgentConfig {
  /** The device id the server knows (model `devices:`); MQTT username and topic level. */
  deviceId: string;
  /** The device's secret; MQTT password. */
  secret: string;
  /** `mqtt://host:1883`, `mqtts://host:8883`, `ws://host:8080/mqtt` or `wss://…`. */
  brokerUrl: string;
  sampleIntervalMs: number;
  batchMax: number;
  maxMessagesPerSecond: number;
  reconnectPeriodMs: number;
  connectTimeoutMs: number;
  flushTimeoutMs: number;
  /** Directory of the SQLite outbox file; omitted means an in-memory outbox (lost on restart). */
  bufferDir?: string;
  bufferMaxReadings: number;
  source: SourceConfig;
}

/** What a caller must give; everything else has a default (`AGENT_DEFAULTS`). */
export type AgentConfigInput = Pick<AgentConfig, 'deviceId' | 'secret' | 'brokerUrl'> &
  Partial<Omit<AgentConfig, 'deviceId' | 'secret' | 'brokerUrl' | 'source'>> & {
    source?: Partial<SimulatedSourceConfig> & { kind?: 'simulated' };
  };

/** Defaults, units in the comments. */
export const AGENT_DEFAULTS = Object.freeze({
  sampleIntervalMs: 1000, // ms between two samples of the source
  batchMax: 500, // readings per MQTT message, at most
  maxMessagesPerSecond: 20, // MQTT messages per second, at most (so 10,000 readings/s when draining a backlog)
  reconnectPeriodMs: 1000, // ms between reconnection attempts (mqtt.js reconnectPeriod)
  connectTimeoutMs: 10_000, // ms to wait for CONNACK
  flushTimeoutMs: 2000, // ms that stop() waits for the outbox to drain before disconnecting
  bufferMaxReadings: 1_000_000, // readings the outbox holds before dropping the oldest (~2 days of 6 metrics at 1 Hz)
});

const TOP_FIELDS = ['deviceId', 'secret', 'brokerUrl', 'sampleIntervalMs', 'batchMax', 'maxMessagesPerSecond', 'reconnectPeriodMs', 'connectTimeoutMs', 'flushTimeoutMs', 'bufferDir', 'bufferMaxReadings', 'source'] as const;
const SOURCE_FIELDS = ['kind', 'seed', 'metrics'] as const;
const METRIC_FIELDS = ['base', 'noise', 'daily', 'weekly', 'min', 'max', 'decimals'] as const;
const BROKER_PROTOCOLS = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];
/** The server refuses payloads over 256 KiB; 2,000 readings of the longest metric ids stay under it. */
const MAX_BATCH = 2000;

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
 */
export function resolveAgentConfig(input: unknown, file?: string, locate: Locate = () => undefined): AgentConfig {
  const c: Checker = new Checker(file, locate);
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
  if (!BROKER_PROTOCOLS.includes(url.protocol)) c.fail(['brokerUrl'], `protocol must be one of ${BROKER_PROTOCOLS.map((p) => p + '//').join(', ')}, got ${url.protocol}//`);

  const num = (key: keyof typeof AGENT_DEFAULTS, opts: Parameters<Checker['number']>[2]) => (o[key] === undefined ? AGENT_DEFAULTS[key] : c.number(o[key], [key], opts));
  const sampleIntervalMs = num('sampleIntervalMs', { integer: true, min: 1, unit: 'ms' });
  const batchMax = num('batchMax', { integer: true, min: 1, max: MAX_BATCH, unit: 'readings per message' });
  const maxMessagesPerSecond = num('maxMessagesPerSecond', { min: 0.001, unit: 'messages per second' });
  const reconnectPeriodMs = num('reconnectPeriodMs', { integer: true, min: 1, unit: 'ms' });
  const connectTimeoutMs = num('connectTimeoutMs', { integer: true, min: 1, unit: 'ms' });
  const flushTimeoutMs = num('flushTimeoutMs', { integer: true, min: 0, unit: 'ms' });
  const bufferMaxReadings = num('bufferMaxReadings', { integer: true, min: 1, unit: 'readings' });
  const bufferDir = o.bufferDir === undefined || o.bufferDir === null ? undefined : c.string(o.bufferDir, ['bufferDir']);

  const s = o.source === undefined ? {} : c.object(o.source, ['source'], SOURCE_FIELDS);
  if (s.kind !== undefined && s.kind !== 'simulated') c.fail(['source', 'kind'], `must be "simulated" (the only source kind so far), got ${show(s.kind)}`);
  const seed = s.seed === undefined ? fnv1a(deviceId) : c.number(s.seed, ['source', 'seed'], { integer: true, min: 0, max: 0xffffffff });
  let metrics: Record<string, Readonly<SimulatedMetric>>;
  if (s.metrics === undefined) metrics = { ...DEMO_WORKSHOP_METRICS };
  else {
    const ms = c.object(s.metrics, ['source', 'metrics'], Object.keys(s.metrics as object));
    if (Object.keys(ms).length === 0) c.fail(['source', 'metrics'], 'must name at least one metric (or be omitted for the demo metrics)');
    metrics = {};
    for (const [id, raw] of Object.entries(ms)) {
      const p = ['source', 'metrics', id];
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
  }

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
    bufferMaxReadings,
    source: Object.freeze({ kind: 'simulated' as const, seed: seed >>> 0, metrics: Object.freeze(metrics) }),
  };
  if (bufferDir !== undefined) config.bufferDir = bufferDir;
  return Object.freeze(config);
}

/**
 * Parses and validates an agent configuration written in YAML. `file` names it in errors,
 * which read `agent.yaml:7: sampleIntervalMs: must be an integer >= 1 (ms), got "fast"`.
 * `bufferDir` is returned as written (see `loadAgentConfig` for resolving it).
 */
export function parseAgentConfig(yamlText: string, file: string): AgentConfig {
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
  return resolveAgentConfig(doc.toJS() ?? {}, file, locate);
}

/** Reads and parses a configuration file; a relative `bufferDir` is taken from the file's directory. */
export function loadAgentConfig(path: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AgentConfigError('', `cannot read the configuration file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Pass an existing file with --config.`, path);
  }
  const config = parseAgentConfig(text, path);
  if (config.bufferDir === undefined || isAbsolute(config.bufferDir)) return config;
  return Object.freeze({ ...config, bufferDir: resolve(dirname(path), config.bufferDir) });
}
