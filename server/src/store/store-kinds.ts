/**
 * The registry of store kinds (`--store`): one descriptor per kind says what it is, which fields it
 * needs (with the help text errors show), how its configuration is checked and how it opens. A new
 * store kind is one entry here (and its class); config, `createStore` and the CLI's help read it.
 */
import { InfluxStore, type InfluxStoreOptions } from './influx-store.js';
import type { StoreLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { TimeSeriesStore } from './store.js';
import { VictoriaMetricsStore, type VictoriaStoreOptions } from './victoria-store.js';

/**
 * Which store the server uses (`--store`): embedded SQLite in the data directory, memory, InfluxDB 2, or
 * VictoriaMetrics.
 */
export type StoreConfig =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'memory' }
  | { kind: 'influxdb'; url: string; org: string; bucket: string; token: string }
  | { kind: 'victoriametrics'; url: string; username?: string; password?: string };

export type StoreKind = StoreConfig['kind'];

export interface CreateStoreOptions {
  logger?: StoreLogger;
  /** Extra options for the embedded store (synchronous, cache...). */
  sqlite?: Omit<SqliteStoreOptions, 'logger'>;
  /** Extra options for the InfluxDB store (batching, retries...). */
  influx?: Omit<InfluxStoreOptions, 'url' | 'org' | 'bucket' | 'token' | 'logger'>;
  /** Extra options for the VictoriaMetrics store (lookback of latest(), write batching...). */
  victoria?: Omit<VictoriaStoreOptions, 'url' | 'logger'>;
}

export interface StoreKindDescriptor<K extends StoreKind> {
  readonly kind: K;
  /** One line for `--help` and the docs. */
  readonly summary: string;
  /** The fields its configuration needs, with what each is. */
  readonly fields: Readonly<Record<string, string>>;
  /** Checks a configuration from flags, environment or files; throws an Error naming the bad field. */
  parse(raw: Record<string, unknown>): Extract<StoreConfig, { kind: K }>;
  open(config: Extract<StoreConfig, { kind: K }>, options: CreateStoreOptions): TimeSeriesStore;
}

function requireString(raw: Record<string, unknown>, kind: string, field: string, help: string): string {
  const v = raw[field];
  if (typeof v !== 'string' || v.trim() === '') {
    throw new Error(
      `store kind '${kind}' needs \`${field}\`: ${help}${v === undefined ? ' (missing)' : ' (empty or not a string)'}`,
    );
  }
  return v;
}

function requireHttpUrl(raw: Record<string, unknown>, kind: string, help: string): string {
  const url = requireString(raw, kind, 'url', help);
  if (!/^https?:\/\//.test(url))
    throw new Error(`store kind '${kind}' needs an http:// or https:// \`url\` (got ${url})`);
  return url;
}

const URL_HELP =
  'the server base URL, e.g. http://127.0.0.1:8086 (InfluxDB 2) or http://127.0.0.1:8428 (VictoriaMetrics)';

const embedded: StoreKindDescriptor<'embedded'> = {
  kind: 'embedded',
  summary: 'SQLite in the data directory (opsroom.db): raw chunks with minute and hour tiers',
  fields: { dataDir: 'the directory that holds opsroom.db (--data-dir)' },
  parse: (raw) => ({ kind: 'embedded', dataDir: requireString(raw, 'embedded', 'dataDir', embedded.fields.dataDir!) }),
  open: (c, o) => SqliteStore.open(c.dataDir, { ...o.sqlite, logger: o.logger }),
};

const memory: StoreKindDescriptor<'memory'> = {
  kind: 'memory',
  summary: 'in memory, gone at exit (tests, trials)',
  fields: {},
  parse: () => ({ kind: 'memory' }),
  open: () => new MemoryStore(),
};

const influxdb: StoreKindDescriptor<'influxdb'> = {
  kind: 'influxdb',
  summary: 'InfluxDB 2 (writes line protocol, reads Flux)',
  fields: {
    url: URL_HELP,
    org: 'the InfluxDB organization name or id',
    bucket: 'the InfluxDB bucket to write readings to',
    token: 'an InfluxDB API token with read and write access to the bucket',
  },
  parse: (raw) => {
    const f = influxdb.fields;
    const url = requireHttpUrl(raw, 'influxdb', f.url!);
    return {
      kind: 'influxdb',
      url,
      org: requireString(raw, 'influxdb', 'org', f.org!),
      bucket: requireString(raw, 'influxdb', 'bucket', f.bucket!),
      token: requireString(raw, 'influxdb', 'token', f.token!),
    };
  },
  open: (c, o) =>
    new InfluxStore({ ...o.influx, url: c.url, org: c.org, bucket: c.bucket, token: c.token, logger: o.logger }),
};

const victoriametrics: StoreKindDescriptor<'victoriametrics'> = {
  kind: 'victoriametrics',
  summary: 'VictoriaMetrics (writes the InfluxDB line protocol, reads PromQL/MetricsQL)',
  fields: {
    url: URL_HELP,
    username: 'HTTP basic auth user name (optional; with password)',
    password: 'HTTP basic auth password (optional; with username)',
  },
  parse: (raw) => {
    const auth: { username?: string; password?: string } = {};
    for (const field of ['username', 'password'] as const) {
      const v = raw[field];
      if (v === undefined || v === '') continue;
      if (typeof v !== 'string') throw new Error(`store victoriametrics: ${field} must be a string`);
      auth[field] = v;
    }
    if ((auth.username === undefined) !== (auth.password === undefined))
      throw new Error('store victoriametrics: username and password go together (basic auth), or neither');
    return {
      kind: 'victoriametrics',
      url: requireHttpUrl(raw, 'victoriametrics', victoriametrics.fields.url!),
      ...auth,
    };
  },
  open: (c, o) =>
    new VictoriaMetricsStore({
      ...o.victoria,
      url: c.url,
      ...(c.username !== undefined ? { username: c.username, password: c.password! } : {}),
      logger: o.logger,
    }),
};

/** Every store kind, in the order `--help` lists them. */
export const STORE_REGISTRY: { readonly [K in StoreKind]: StoreKindDescriptor<K> } = Object.freeze({
  embedded,
  memory,
  influxdb,
  victoriametrics,
});

export const STORE_KINDS: readonly StoreKind[] = Object.freeze(Object.keys(STORE_REGISTRY) as StoreKind[]);

export function isStoreKind(v: unknown): v is StoreKind {
  return typeof v === 'string' && Object.hasOwn(STORE_REGISTRY, v);
}

/** "a, b, c or d": the kinds as an error message lists them. */
export function storeKindList(conjunction = 'or'): string {
  return `${STORE_KINDS.slice(0, -1).join(', ')} ${conjunction} ${STORE_KINDS.at(-1)!}`;
}
