import {
  isStoreKind,
  STORE_KINDS,
  STORE_REGISTRY,
  type CreateStoreOptions,
  type StoreConfig,
  type StoreKindDescriptor,
} from './store-kinds.js';
import type { TimeSeriesStore } from './store.js';

export { STORE_KINDS, type CreateStoreOptions, type StoreConfig } from './store-kinds.js';

/**
 * Builds the configured TimeSeriesStore through its kind's descriptor (store-kinds.ts). Checks the
 * config at run time too (it comes from flags, environment and files) and throws an Error naming
 * the missing or bad field.
 *
 * Example: createStore({ kind: 'embedded', dataDir: './data' }) opens ./data/opsroom.db.
 */
export function createStore(config: StoreConfig, options: CreateStoreOptions = {}): TimeSeriesStore {
  if (config === null || typeof config !== 'object') {
    throw new Error(`store config must be an object with \`kind\` (one of ${STORE_KINDS.join(', ')})`);
  }
  const raw = config as unknown as Record<string, unknown>;
  if (!isStoreKind(raw.kind))
    throw new Error(`unknown store kind '${String(raw.kind)}'; use one of ${STORE_KINDS.join(', ')}`);
  const kind = STORE_REGISTRY[raw.kind] as StoreKindDescriptor<StoreConfig['kind']>;
  return kind.open(kind.parse(raw) as never, options);
}
