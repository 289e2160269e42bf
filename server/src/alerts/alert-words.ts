/**
 * An alert in words (issue 14, point 7). The sentence builder lives in models (alerts/alert-words.ts)
 * since issue 20 point 4, so that the room words it in its own language; the server keeps the
 * English sentence as the alert's `summary`.
 */
export { describeAlert, formatNumber, type IndicatorWords } from '@opsroom/models';
