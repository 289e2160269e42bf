/**
 * The servers the bench starts log nothing, unless `BENCH_LOG=<file>` asks for their warnings and
 * errors as JSON lines in that file (appended; for diagnosing a run that stalls or fails).
 */
export const benchLogger = (): false | { level: string; file: string } =>
  process.env.BENCH_LOG ? { level: 'warn', file: process.env.BENCH_LOG } : false;
