import { InfluxStore } from './influx-store.js';
import type { InfluxStoreOptions } from './influx-store.js';
import type { StoreLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { SqliteStoreOptions } from './sqlite-store.js';
import type { TimeSeriesStore } from './store.js';
import { VictoriaMetricsStore } from './victoria-store.js';
import type { VictoriaStoreOptions } from './victoria-store.js';

/** Which store the server uses (`--store`): embedded SQLite in the data directory, memory, InfluxDB 2, or VictoriaMetrics. */
export type StoreConfig =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'memory' }
  | { kind: 'influxdb'; url: string; org: string; bucket: string; token: string }
  | { kind: 'victoriametrics'; url: string };

export const STORE_KINDS: readonly StoreConfig['kind'][] = Object.freeze(['embedded', 'memory', 'influxdb', 'victoriametrics']);

export interface CreateStoreOptions {
  logger?: StoreLogger;
  /** Extra options for the embedded store (synchronous, cache...). */
  sqlite?: Omit<SqliteStoreOptions, 'logger'>;
  /** Extra options for the InfluxDB store (batching, retries...). */
  influx?: Omit<InfluxStoreOptions, 'url' | 'org' | 'bucket' | 'token' | 'logger'>;
  /** Extra options for the VictoriaMetrics store (lookback of latest(), write batching...). */
  victoria?: Omit<VictoriaStoreOptions, 'url' | 'logger'>;
}

const FIELD_HELP: Record<string, string> = {
  dataDir: 'the directory that holds opsroom.db (--data-dir)',
  url: 'the server base URL, e.g. http://127.0.0.1:8086 (InfluxDB 2) or http://127.0.0.1:8428 (VictoriaMetrics)',
  org: 'the InfluxDB organization name or id',
  bucket: 'the InfluxDB bucket to write readings to',
  token: 'an InfluxDB API token with read and write access to the bucket',
};

function requireString(config: Record<string, unknown>, kind: string, field: string): string {
  const v = config[field];
  if (typeof v !== 'string' || v.trim() === '') {
    throw new Error(`store kind '${kind}' needs \`${field}\`: ${FIELD_HELP[field] ?? field}${v === undefined ? ' (missing)' : ' (empty or not a string)'}`);
  }
  return v;
}

/**
 * Builds the configured TimeSeriesStore. Checks the config at run time too (it comes from flags,
 * environment and files) and throws an Error naming the missing or bad field.
 *
 * Example: createStore({ kind: 'embedded', dataDir: './data' }) opens ./data/opsroom.db.
 */
export function createStore(config: StoreConfig, options: CreateStoreOptions = {}): TimeSeriesStore {
  if (config === null || typeof config !== 'object') {
    throw new Error(`store config must be an object with \`kind\` (one of ${STORE_KINDS.join(', ')})`);
  }
  const c = config as unknown as Record<string, unknown>;
  switch (config.kind) {
    case 'memory':
      return new MemoryStore();
    case 'embedded': {
      const dataDir = requireString(c, 'embedded', 'dataDir');
      return SqliteStore.open(dataDir, { ...options.sqlite, logger: options.logger });
    }
    case 'influxdb': {
      const url = requireString(c, 'influxdb', 'url');
      const org = requireString(c, 'influxdb', 'org');
      const bucket = requireString(c, 'influxdb', 'bucket');
      const token = requireString(c, 'influxdb', 'token');
      if (!/^https?:\/\//.test(url)) throw new Error(`store kind 'influxdb' needs an http:// or https:// \`url\` (got ${url})`);
      return new InfluxStore({ ...options.influx, url, org, bucket, token, logger: options.logger });
    }
    case 'victoriametrics': {
      const url = requireString(c, 'victoriametrics', 'url');
      if (!/^https?:\/\//.test(url)) throw new Error(`store kind 'victoriametrics' needs an http:// or https:// \`url\` (got ${url})`);
      return new VictoriaMetricsStore({ ...options.victoria, url, logger: options.logger });
    }
    default:
      throw new Error(`unknown store kind '${String(c.kind)}'; use one of ${STORE_KINDS.join(', ')}`);
  }
}
