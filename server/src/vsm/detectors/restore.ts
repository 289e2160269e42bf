/**
 * Creating detectors, and restoring them from their snapshots (for example after a restart).
 * The single place that knows every detector type; a new detector adds one case here.
 *
 * @example
 *   const d = createDetector();                       // Cyberstride ensemble, default options
 *   const saved = JSON.stringify(d.snapshot());
 *   const again = restoreDetector(JSON.parse(saved));  // continues bit-identically
 */
import type { DetectorState, StreamingDetector } from './detector.js';
import {
  CYBERSTRIDE_TYPE,
  CYBERSTRIDE_VERSION,
  CyberstrideDetector,
  restoreCyberstride,
  type CyberstrideOptions,
} from './cyberstride.js';
import {
  HARRISON_STEVENS_TYPE,
  HARRISON_STEVENS_VERSION,
  HarrisonStevensDetector,
  restoreHarrisonStevens,
  type HarrisonStevensOptions,
} from './harrison-stevens.js';

/** Options for `createDetector`; `type` defaults to 'cyberstride' (the ensemble the server runs). */
export type CreateDetectorOptions =
  | ({ type?: typeof CYBERSTRIDE_TYPE } & CyberstrideOptions)
  | ({ type: typeof HARRISON_STEVENS_TYPE } & HarrisonStevensOptions);

/** Every detector type and the snapshot versions this build reads. */
export const DETECTOR_TYPES: Readonly<Record<string, readonly number[]>> = Object.freeze({
  // 1: float64 vectors of earlier builds, restored rounded; 2: the slot before the alert decision; 3: before the
  // long-level gate; 4: before the shift CUSUM; 5: before the series' own extremes; 6: before the time-of-day path
  [CYBERSTRIDE_TYPE]: Object.freeze([1, 2, 3, 4, 5, 6, 7, 8, CYBERSTRIDE_VERSION]),
  [HARRISON_STEVENS_TYPE]: Object.freeze([HARRISON_STEVENS_VERSION]),
});

/** A snapshot that cannot be restored: unknown type or version, or malformed content. */
export class DetectorStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DetectorStateError';
  }
}

/** A new detector. Throws a RangeError naming the bad option if the options are invalid. */
export function createDetector(opts: CreateDetectorOptions = {}): StreamingDetector {
  const { type = CYBERSTRIDE_TYPE, ...rest } = opts;
  if (type === CYBERSTRIDE_TYPE) return new CyberstrideDetector(rest as CyberstrideOptions);
  if (type === HARRISON_STEVENS_TYPE) return new HarrisonStevensDetector(rest as HarrisonStevensOptions);
  throw new RangeError(
    `unknown detector type "${String(type)}"; known types: ${Object.keys(DETECTOR_TYPES).join(', ')}`,
  );
}

/**
 * The detector a snapshot came from, continuing exactly where it stopped.
 * Throws DetectorStateError for an unknown type or version or a malformed snapshot; the message
 * says what to do (typically: discard the snapshot and create a new detector, which re-warms).
 */
export function restoreDetector(state: DetectorState): StreamingDetector {
  if (typeof state !== 'object' || state === null) {
    throw new DetectorStateError(`detector snapshot must be an object, got ${state === null ? 'null' : typeof state}`);
  }
  const versions = Object.hasOwn(DETECTOR_TYPES, String(state.type)) ? DETECTOR_TYPES[String(state.type)] : undefined;
  if (!versions) {
    throw new DetectorStateError(
      `unknown detector type ${JSON.stringify(state.type)} (known: ${Object.keys(DETECTOR_TYPES).join(', ')}); ` +
        'discard this snapshot and create a new detector',
    );
  }
  if (!versions.includes(state.version)) {
    throw new DetectorStateError(
      `unsupported ${String(state.type)} snapshot version ` +
        `${JSON.stringify(state.version)} (this build reads ${versions.join(', ')}); ` +
        'it was written by a different server version: discard it and create a new detector, which re-warms',
    );
  }
  try {
    return state.type === CYBERSTRIDE_TYPE ? restoreCyberstride(state) : restoreHarrisonStevens(state);
  } catch (err) {
    throw new DetectorStateError(`${(err as Error).message}; discard this snapshot and create a new detector`);
  }
}
