import type { StoreLogger } from './logger.js';
import type { StoredPoint, TimeSeriesStore } from './store.js';

/**
 * The newest stored point of every series, for the live view at start-up, when the store offers
 * it cheaply (`latestAtStartup` not false; InfluxDB does not: that would be a Flux query). A failing
 * read is logged and gives nothing: the server starts and writes anyway, and each series shows
 * again at its next reading. Then logs the store's warnings (StoreHealth.warnings), if any.
 */
export async function latestAtStartup(store: TimeSeriesStore, log: StoreLogger): Promise<StoredPoint[]> {
  let points: StoredPoint[] = [];
  if (store.latestAtStartup === false) {
    log.info(
      { store: store.health().backend },
      'live view not seeded from the store (no query at start-up); each series shows at its next reading',
    );
  } else {
    try {
      points = await store.latest();
    } catch (err) {
      log.warn(
        { err, store: store.health().backend },
        'could not read the latest points at start-up; starting without them (each series shows at its next reading)',
      );
    }
  }
  // What the store found wrong with its server (VictoriaMetrics flags), once, where operators look.
  const health = store.health();
  for (const warning of health.warnings ?? []) log.warn({ store: health.backend }, warning);
  return points;
}
