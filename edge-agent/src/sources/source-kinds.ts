/**
 * The registry of agent source kinds: one descriptor per kind holds its fields, how its
 * configuration is checked (errors name the field and line) and how it opens. A new source kind is
 * one entry here, its config type in config/agent-config.ts, and its class; nothing else switches on
 * the kind.
 *
 * Each kind but `simulated` is loaded on first use (dynamic import), so an agent pays in memory only
 * for the kinds its configuration names: `command` alone brings in `node:child_process`, `modbus`
 * `node:net` sockets of its own (see the Footprint section of the README).
 */
import { join } from 'node:path';
import { METRIC_PATTERN } from '@opsroom/models';
import type {
  CommandSourceConfig,
  CsvSourceConfig,
  HostSourceConfig,
  HttpSourceConfig,
  ModbusSourceConfig,
  SimulatedSourceConfig,
  SourceConfig,
  SourceKind,
} from '../config/agent-config.js';
import { METRIC_RULE, PREFIX_RULE, show, type Checker, type Path } from '../config/checker.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { parseJsonPath } from './json-path.js';
import { REGISTER_TYPES, type RegisterDef } from './modbus-source.js';
import { fnv1a } from './prng.js';
import { DEMO_WORKSHOP_METRICS, SimulatedWorkshop, type SimulatedMetric } from './simulated-workshop.js';
import type { Source } from './source.js';

export interface OpenSourceContext {
  deviceId: string;
  logger?: Logger;
  /** Where sources that keep a position (CSV replay) save it; none means they start over on restart. */
  stateDir?: string;
}

/** What every kind's checks get besides its own fields. */
export interface SourceCheckContext {
  deviceId: string;
  /** Takes a path of the configuration relative to the configuration file's directory. */
  at: (path: string) => string;
  /** The source's timeout in ms: its `timeoutMs` field when given, else `dflt`. */
  timeoutMs: (dflt: number) => number;
}

export interface SourceKindDescriptor<C extends SourceConfig> {
  readonly kind: C['kind'];
  readonly summary: string;
  /** Its fields besides kind, name and intervalMs. */
  readonly fields: readonly string[];
  resolve(
    c: Checker,
    s: Record<string, unknown>,
    p: Path,
    common: { name: string; intervalMs: number },
    ctx: SourceCheckContext,
  ): C;
  /** The source (csv, command, http and host take the checked configuration as their options). */
  open(config: C, ctx: OpenSourceContext & { logger: Logger }): Promise<Source>;
}

const METRIC_FIELDS = ['base', 'noise', 'daily', 'weekly', 'min', 'max', 'decimals'] as const;
const REGISTER_FIELDS = ['metric', 'table', 'address', 'type', 'wordOrder', 'scale', 'offset'] as const;

const simulated: SourceKindDescriptor<SimulatedSourceConfig> = {
  kind: 'simulated',
  summary: 'a simulated workshop (daily and weekly cycles, noise, injectable faults)',
  fields: ['seed', 'metrics'],
  resolve(c, s, p, common, ctx) {
    const kind = 'simulated' as const;
    const seed =
      s.seed === undefined
        ? fnv1a(ctx.deviceId)
        : c.number(s.seed, [...p, 'seed'], { integer: true, min: 0, max: 0xffffffff });
    return {
      kind,
      ...common,
      seed: seed >>> 0,
      metrics: Object.freeze(simulatedMetrics(c, s.metrics, [...p, 'metrics'])),
    };
  },
  async open(c, ctx) {
    return new SimulatedWorkshop({
      name: c.name === 'simulated-0' ? ctx.deviceId : c.name,
      seed: c.seed,
      metrics: c.metrics,
    });
  },
};

const csv: SourceKindDescriptor<CsvSourceConfig> = {
  kind: 'csv',
  summary: 'a recorded CSV file played back',
  fields: ['file', 'speed', 'metric', 'loop', 'timestamps'],
  resolve(c, s, p, common, ctx) {
    const kind = 'csv' as const;
    const timestamps = c.oneOf(s.timestamps, [...p, 'timestamps'], ['replay', 'original'] as const, 'replay');
    const loop = c.boolean(s.loop, [...p, 'loop'], false);
    if (loop && timestamps === 'original')
      c.fail(
        [...p, 'loop'],
        'cannot loop with timestamps: original (every loop would repeat the same keys, which the server stores once)',
      );
    const src: CsvSourceConfig = {
      kind,
      ...common,
      file: ctx.at(c.string(s.file, [...p, 'file'])),
      speed:
        s.speed === undefined
          ? 1
          : c.number(s.speed, [...p, 'speed'], { min: 0.000001, unit: 'times the recorded pace' }),
      loop,
      timestamps,
    };
    if (s.metric !== undefined) src.metric = c.string(s.metric, [...p, 'metric'], METRIC_RULE);
    return src;
  },
  async open(c, ctx) {
    const { CsvReplaySource } = await import('./csv-replay.js');
    return new CsvReplaySource({
      ...c,
      ...(ctx.stateDir ? { stateFile: join(ctx.stateDir, `${ctx.deviceId}.${c.name}.position.json`) } : {}),
    });
  },
};

const command: SourceKindDescriptor<CommandSourceConfig> = {
  kind: 'command',
  summary: 'a command run on every sample, its output parsed',
  fields: ['command', 'format', 'timeoutMs', 'prefix'],
  resolve(c, s, p, common, ctx) {
    const kind = 'command' as const;
    let command: string | string[];
    if (Array.isArray(s.command)) {
      if (s.command.length === 0) c.fail([...p, 'command'], 'must name a program');
      command = s.command.map((a, i) => c.string(a, [...p, 'command', i]));
    } else command = c.string(s.command, [...p, 'command']);
    return {
      kind,
      ...common,
      command,
      format: c.oneOf(s.format, [...p, 'format'], ['auto', 'keyvalue', 'json'] as const, 'auto'),
      timeoutMs: ctx.timeoutMs(10_000),
      prefix: s.prefix === undefined ? '' : c.string(s.prefix, [...p, 'prefix'], PREFIX_RULE),
    };
  },
  async open(c) {
    const { CommandSource } = await import('./command-source.js');
    return new CommandSource(c);
  },
};

const http: SourceKindDescriptor<HttpSourceConfig> = {
  kind: 'http',
  summary: 'a JSON endpoint polled, one path per metric',
  fields: ['url', 'metrics', 'headers', 'timeoutMs'],
  resolve(c, s, p, common, ctx) {
    const kind = 'http' as const;
    const urlText = c.string(s.url, [...p, 'url']);
    let u: URL | undefined;
    try {
      u = new URL(urlText);
    } catch {
      /* below */
    }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:'))
      c.fail([...p, 'url'], `${show(urlText)} is not an http:// or https:// URL`);
    if (s.metrics === undefined)
      c.fail([...p, 'metrics'], 'must map at least one metric id to a path, e.g. temperature: $.sensors.t1');
    const metrics = c.stringMap(s.metrics, [...p, 'metrics'], METRIC_RULE);
    if (Object.keys(metrics).length === 0)
      c.fail([...p, 'metrics'], 'must map at least one metric id to a path, e.g. temperature: $.sensors.t1');
    for (const [m, path] of Object.entries(metrics)) {
      try {
        parseJsonPath(path);
      } catch (err) {
        c.fail([...p, 'metrics', m], (err as Error).message);
      }
    }
    return {
      kind,
      ...common,
      url: urlText,
      metrics: Object.freeze(metrics),
      headers: Object.freeze(c.stringMap(s.headers, [...p, 'headers'])),
      timeoutMs: ctx.timeoutMs(5000),
    };
  },
  async open(c, ctx) {
    const { HttpJsonSource } = await import('./http-json-source.js');
    return new HttpJsonSource({ ...c, logger: ctx.logger });
  },
};

const host: SourceKindDescriptor<HostSourceConfig> = {
  kind: 'host',
  summary: "the Linux host's load, CPU, memory and disks",
  fields: ['prefix', 'disks'],
  resolve(c, s, p, common) {
    const kind = 'host' as const;
    const disks =
      s.disks === undefined
        ? { root: '/' }
        : c.stringMap(s.disks, [...p, 'disks'], {
            pattern: /^[A-Za-z0-9_]{1,32}$/,
            what: 'a disk label (letters, digits, _)',
          });
    return {
      kind,
      ...common,
      prefix: s.prefix === undefined ? 'host_' : c.string(s.prefix, [...p, 'prefix'], PREFIX_RULE),
      disks: Object.freeze(disks),
    };
  },
  async open(c) {
    const { HostMetricsSource } = await import('./host-metrics.js');
    return new HostMetricsSource(c);
  },
};

const modbus: SourceKindDescriptor<ModbusSourceConfig> = {
  kind: 'modbus',
  summary: 'registers of a Modbus TCP device',
  fields: ['host', 'port', 'unitId', 'timeoutMs', 'registers'],
  resolve(c, s, p, common, ctx) {
    const kind = 'modbus' as const;
    if (!Array.isArray(s.registers) || s.registers.length === 0)
      c.fail(
        [...p, 'registers'],
        'must list at least one register, e.g. - { metric: temperature, address: 0, scale: 0.1 }',
      );
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
      timeoutMs: ctx.timeoutMs(2000),
      registers: Object.freeze(registers),
    };
  },
  async open(c, ctx) {
    const [{ ModbusSource }, { ModbusTcpClient }] = await Promise.all([
      import('./modbus-source.js'),
      import('./modbus-tcp-client.js'),
    ]);
    return new ModbusSource({
      name: c.name,
      unitId: c.unitId,
      registers: c.registers,
      logger: ctx.logger,
      client: new ModbusTcpClient({ host: c.host, port: c.port, timeoutMs: c.timeoutMs }),
    });
  },
};

/** Every source kind, in the order the docs list them. */
export const SOURCE_REGISTRY: { readonly [K in SourceKind]: SourceKindDescriptor<Extract<SourceConfig, { kind: K }>> } =
  Object.freeze({ simulated, csv, command, http, host, modbus });

export const SOURCE_KINDS: readonly SourceKind[] = Object.freeze(Object.keys(SOURCE_REGISTRY) as SourceKind[]);

/**
 * The source a source configuration describes. Rejects with an Error saying what is wrong (e.g. an unreadable CSV
 * file).
 */
export async function openSource(config: SourceConfig, ctx: OpenSourceContext): Promise<Source> {
  const kind = SOURCE_REGISTRY[config.kind] as unknown as SourceKindDescriptor<SourceConfig>;
  return kind.open(config, { ...ctx, logger: ctx.logger ?? silentLogger });
}

function simulatedMetrics(c: Checker, x: unknown, path: Path): Record<string, Readonly<SimulatedMetric>> {
  if (x === undefined) return { ...DEMO_WORKSHOP_METRICS };
  const ms = c.object(x, path, Object.keys((x as object) ?? {}));
  if (Object.keys(ms).length === 0) c.fail(path, 'must name at least one metric (or be omitted for the demo metrics)');
  const metrics: Record<string, Readonly<SimulatedMetric>> = {};
  for (const [id, raw] of Object.entries(ms)) {
    const p = [...path, id];
    if (!METRIC_PATTERN.test(id))
      c.fail(p, `metric id must match ${METRIC_PATTERN} (a letter, then letters, digits, _)`);
    const m = c.object(raw, p, METRIC_FIELDS);
    const opt = (k: (typeof METRIC_FIELDS)[number], o2: Parameters<Checker['number']>[2]) =>
      m[k] === undefined ? undefined : c.number(m[k], [...p, k], o2);
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
    if (min !== undefined && max !== undefined && min > max)
      c.fail([...p, 'max'], `must be >= min (${min}), got ${max}`);
    if (decimals !== undefined) def.decimals = decimals;
    metrics[id] = Object.freeze(def);
  }
  return metrics;
}
