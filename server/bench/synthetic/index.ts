/** Synthetic evaluation of what a streaming detector raises: the public surface. */
export {
  FAMILIES,
  FAMILY_NAMES,
  SYNTHETIC,
  SYNTHETIC_EPOCH_MS,
  dailyCycle,
  eventEffect,
  familySpec,
  generateFamily,
  streamSeed,
} from './families.js';
export type { EventKind, FamilyGroup, FamilySpec, Series, SyntheticEvent } from './families.js';
export {
  EVALUATION,
  KIND_NAMES,
  alertOnsets,
  detectWindowOf,
  per10k,
  rowsToFlags,
  scoreSeries,
  settledRow,
  traceDetector,
} from './evaluate.js';
export type { DetectorTrace, EventScore, OnsetOutcome, SeriesScore } from './evaluate.js';
export { reliability } from './calibration.js';
export type { Forecasted, Reliability, ReliabilityBin } from './calibration.js';
export { evaluateSyntheticSuite, median } from './suite.js';
export type {
  EventFamilyResult,
  EventKindResult,
  NullFamilyResult,
  SeriesRecord,
  SyntheticSuiteOptions,
  SyntheticSuiteResult,
} from './suite.js';
