/** Streaming anomaly detectors, one per node and indicator series: the public surface. */
export type { ChangeKindOrNone, DetectorOutput, DetectorState, Forecast, StreamingDetector } from './detector.js';
export {
  CYBERSTRIDE_DEFAULTS,
  CYBERSTRIDE_TYPE,
  CYBERSTRIDE_VERSION,
  CyberstrideDetector,
  normalCdf,
} from './cyberstride.js';
export type { CyberstrideOptions, CyberstrideState, ResolvedCyberstrideOptions } from './cyberstride.js';
export {
  HARRISON_STEVENS_DEFAULTS,
  HARRISON_STEVENS_TYPE,
  HARRISON_STEVENS_VERSION,
  HS_STATES,
  HarrisonStevensDetector,
} from './harrison-stevens.js';
export type { HarrisonStevensOptions, HarrisonStevensState, HsStateName, HsStateSpec } from './harrison-stevens.js';
export { createDetector, restoreDetector, DetectorStateError, DETECTOR_TYPES } from './restore.js';
export type { CreateDetectorOptions } from './restore.js';
