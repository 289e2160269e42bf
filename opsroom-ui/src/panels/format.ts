/**
 * A number for an ops-room table: up to 3 significant decimals, thousands grouped, `—` when absent.
 * @example formatValue(1234.5678) // '1,234.568'
 * @example formatValue(0.000123)  // '0.000123'
 * @example formatValue(null)      // '—'
 */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs !== 0 && abs < 0.001) return value.toPrecision(3);
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/**
 * A ratio as a percentage with one decimal.
 * @example formatRatio(0.8125) // '81.3 %'
 * @example formatRatio(null)   // '—'
 */
export function formatRatio(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(1)} %`;
}

/**
 * How long ago, coarse: `12 s ago`, `4 min ago`, `3 h ago`.
 * @example formatAge(10_000, 22_000) // '12 s ago'
 */
export function formatAge(ts: number, now: number): string {
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}
