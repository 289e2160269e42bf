/**
 * An alert in words a council member understands (issue 14, point 7): what changed, by how much
 * against the forecast, how sure the system is (one number) and since when. Pure; the API carries
 * the sentence as `summary` and the room shows it as the alert card's text.
 *
 * @example
 *   describeAlert({ kind: 'step', value: 160, forecast: { mean: 100, lower: 94, upper: 106 }, sigmas: 19.6,
 *                   probability: 0.97, since: Date.UTC(2026, 11, 5, 12, 3, 5), ... }, { name: 'Output', unit: 'u' })
 *   // 'Output jumped to a new level of 160 u: 60 u above the expected 100 u (usual range 94 to 106). 97 % sure.
 *     Since 12:03:05 UTC, 5 Dec 2026.'
 */
import type { Alert } from '@opsroom/models';

export interface IndicatorWords {
  name: string;
  unit?: string;
}

/** At most four significant digits, no exponent for everyday magnitudes. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e9 || a < 1e-3)) return x.toPrecision(4);
  return Number(x.toPrecision(4)).toLocaleString('en-GB', { maximumFractionDigits: 3 });
}

function whenText(ms: number): string {
  const d = new Date(ms);
  const hms = d.toISOString().slice(11, 19);
  return (
    `${hms} UTC, ${d.getUTCDate()} ` +
    `${d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })} ${d.getUTCFullYear()}`
  );
}

type Describable = Pick<Alert, 'kind' | 'value' | 'forecast' | 'probability' | 'raisedAt' | 'series'> & {
  since?: number;
  sigmas?: number;
};

export function describeAlert(a: Describable, ind: IndicatorWords): string {
  const unit = ind.unit && !a.series ? ` ${ind.unit}` : '';
  const v = (x: number) => `${formatNumber(x)}${unit}`;
  const what = a.series ? `${ind.name} ${a.series}` : ind.name;
  const up = a.forecast ? a.value >= a.forecast.mean : true;
  let change: string;
  switch (a.kind) {
    case 'step':
      change = `${what} ${up ? 'jumped' : 'dropped'} to a new level of ${v(a.value)}`;
      break;
    case 'slope':
      change = `${what} started ${up ? 'rising' : 'falling'} steadily and is now ${v(a.value)}`;
      break;
    case 'transient':
      change = `${what} had one outlying reading of ${v(a.value)}`;
      break;
    case 'flatline':
      change = `${what} stopped varying: the same reading, ${v(a.value)}, again and again`;
      break;
    case 'dropout':
      change = `${what} stopped arriving: nothing for ${formatNumber(a.value)} s`;
      break;
    case 'group':
      change = `${formatNumber(a.value)} of this node's children alerted together`;
      break;
    default:
      change = `${what} changed suddenly to ${v(a.value)} (what kind of change is decided within a few readings)`;
  }
  let against = '';
  if (a.forecast && a.kind !== 'flatline' && a.kind !== 'dropout' && a.kind !== 'group') {
    const diff = a.value - a.forecast.mean;
    against =
      `: ${v(Math.abs(diff))} ${diff >= 0 ? 'above' : 'below'} the expected ` +
      `${v(a.forecast.mean)} (usual range ${formatNumber(a.forecast.lower)} ` +
      `to ${formatNumber(a.forecast.upper)})`;
  }
  return `${change}${against}. ${Math.round(a.probability * 100)} % sure. Since ${whenText(a.since ?? a.raisedAt)}.`;
}
