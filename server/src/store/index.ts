// The public surface of the time-series store layer.
export type { Aggregate, RangeQuery, SeriesPoint, StoreHealth, StoredPoint, TimeSeriesStore } from './store.js';
export type { StoreLogger } from './logger.js';
export { silentLogger } from './logger.js';
export { AGGREGATES, normalizeQuery, pointProblem } from './validate.js';
export type { NormalizedQuery } from './validate.js';
export { aggregateWindows, bucketStart } from './aggregate.js';
export { MemoryStore } from './memory-store.js';
export { SqliteStore } from './sqlite-store.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export { DATABASE_FILE, DEFAULT_DATABASE_OPTIONS, databasePath, migrate, openDatabase } from './sqlite-db.js';
export type { OpenDatabaseOptions, SqliteDatabase } from './sqlite-db.js';
export { DEFAULT_INFLUX_STORE_OPTIONS, InfluxStore } from './influx-store.js';
export type { InfluxStoreOptions } from './influx-store.js';
export { createStore, STORE_KINDS } from './create-store.js';
export type { CreateStoreOptions, StoreConfig } from './create-store.js';
