// The public surface of the time-series store layer.
export type { Aggregate, RangeQuery, SeriesPoint, StoreHealth, StoredPoint, TimeSeriesStore } from './store.js';
export type { StoreLogger } from './logger.js';
export { silentLogger } from './logger.js';
export { AGGREGATES, batchProblem, normalizeQuery, pointProblem } from './validate.js';
export { pointsOfBatches } from './batch-points.js';
export type { NormalizedQuery } from './validate.js';
export { aggregateWindows, bucketStart } from './aggregate.js';
export { MemoryStore } from './memory-store.js';
export { MIN_CHUNK_POINTS, SqliteStore } from './sqlite-store.js';
export { SqliteWorkerStore } from './sqlite-worker-store.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export { DATABASE_FILE, DEFAULT_DATABASE_OPTIONS, databasePath, migrate, openDatabase } from './sqlite-db.js';
export type { OpenDatabaseOptions, SqliteDatabase } from './sqlite-db.js';
export { DEFAULT_INFLUX_STORE_OPTIONS, InfluxStore } from './influx-store.js';
export type { InfluxStoreOptions } from './influx-store.js';
export { DEFAULT_VICTORIA_STORE_OPTIONS, VictoriaMetricsStore } from './victoria-store.js';
export type { VictoriaStoreOptions } from './victoria-store.js';
export { createStore, STORE_KINDS } from './create-store.js';
export { isStoreKind, STORE_REGISTRY, storeKindList } from './store-kinds.js';
export type { StoreKind, StoreKindDescriptor } from './store-kinds.js';
export { latestAtStartup } from './startup-seed.js';
export type { CreateStoreOptions, StoreConfig } from './create-store.js';
export {
  DEFAULT_RETENTION_INTERVAL_MS,
  DEFAULT_RETENTION_POLICY,
  checkRetentionPolicy,
  scheduleRetention,
} from './retention.js';
export type {
  RetentionPolicy,
  RetentionResult,
  RetentionSchedule,
  RetentionScheduleOptions,
  RetentionTarget,
} from './retention.js';
export { HOUR_TIER, MINUTE_TIER, TIERS, tierFor } from './tiers.js';
export type { Tier } from './tiers.js';
