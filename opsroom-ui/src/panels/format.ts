import { formatNumber, t } from '../i18n/i18n.js';

/**
 * A number for an ops-room table in the active locale: up to 3 decimals, thousands grouped, `—` when absent.
 * @example formatValue(1234.5678) // '1,234.568'
 * @example formatValue(0.000123)  // '0.000123'
 * @example formatValue(null)      // '—'
 */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs !== 0 && abs < 0.001) return formatNumber(Number(value.toPrecision(3)), { maximumSignificantDigits: 3 });
  return formatNumber(value, { maximumFractionDigits: 3 });
}

/**
 * A ratio as a percentage with one decimal.
 * @example formatRatio(0.8125) // '81.3 %'
 * @example formatRatio(null)   // '—'
 */
export function formatRatio(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const pct = formatNumber(value * 100, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });
  return `${pct} %`;
}

/**
 * How long ago, coarse: `12 s ago`, `4 min ago`, `3 h ago`.
 * @example formatAge(10_000, 22_000) // '12 s ago'
 */
export function formatAge(ts: number, now: number): string {
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 90) return t('format.secondsAgo', { n: s });
  if (s < 90 * 60) return t('format.minutesAgo', { n: Math.round(s / 60) });
  return t('format.hoursAgo', { n: Math.round(s / 3600) });
}
