import { METRIC_PATTERN } from '@opsroom/models';

/**
 * Turns a key found in a sensor's output (a command's `cpu.temp=41`, a JSON field) into a
 * metric id the server accepts (`METRIC_PATTERN`): every other character becomes `_`, a key
 * that does not start with a letter gets `m_` in front, and the result is cut to 64 characters.
 * @example toMetricId('cpu.temp') // 'cpu_temp'
 * @example toMetricId('1min load') // 'm_1min_load'
 */
export function toMetricId(key: string): string {
  if (METRIC_PATTERN.test(key)) return key;
  let id = key.trim().replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(id)) id = 'm_' + id;
  return id.slice(0, 64);
}

/**
 * A number from a sensor's text or JSON: numbers as they are, numeric strings parsed, booleans
 * as 1/0; anything else (empty, `NaN`, objects) is undefined.
 * @example toValue('21.5') // 21.5
 * @example toValue(true) // 1
 */
export function toValue(x: unknown): number | undefined {
  if (typeof x === 'number') return Number.isFinite(x) ? x : undefined;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'string') {
    const t = x.trim();
    if (t === '') return undefined;
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
