/**
 * An alert in words a council member understands (issue 14, point 7): what changed, by how much
 * against the forecast, how sure the system is (one number) and since when. Pure; the server
 * carries the English sentence as `summary`, and the room builds the same sentence in its active
 * language from the alert's fields with the phrases of its catalogue (issue 20 point 4).
 *
 * @example
 *   describeAlert({ kind: 'step', value: 160, forecast: { mean: 100, lower: 94, upper: 106 }, sigmas: 19.6,
 *                   probability: 0.97, since: Date.UTC(2026, 11, 5, 12, 3, 5), ... }, { name: 'Output', unit: 'u' })
 *   // 'Output jumped to a new level of 160 u: 60 u above the expected 100 u (usual range 94 to 106). 97 % sure.
 *     Since 12:03:05 UTC, 5 Dec 2026.'
 */
import type { Alert } from '../http/alert-schema.js';

export interface IndicatorWords {
  name: string;
  unit?: string;
}

/**
 * The phrases of the sentence, as templates with `{name}` holes: `{what}` the indicator (and
 * series), `{value}` a number with its unit, `{n}` a bare number, `{diff}` `{mean}` `{lower}`
 * `{upper}` the forecast, `{pct}` the probability in percent, `{when}` the time, `{hms}` `{day}`
 * `{month}` `{year}` its parts.
 */
export interface AlertPhrases {
  stepUp: string;
  stepDown: string;
  slopeUp: string;
  slopeDown: string;
  transient: string;
  flatline: string;
  dropout: string;
  group: string;
  change: string;
  above: string;
  below: string;
  sure: string;
  since: string;
  when: string;
}

/** A language for {@link describeAlert}: its phrases and the locale of its numbers and month names. */
export interface AlertLanguage {
  phrases: AlertPhrases;
  locale: string;
}

export const ALERT_PHRASES_EN: AlertPhrases = {
  stepUp: '{what} jumped to a new level of {value}',
  stepDown: '{what} dropped to a new level of {value}',
  slopeUp: '{what} started rising steadily and is now {value}',
  slopeDown: '{what} started falling steadily and is now {value}',
  transient: '{what} had one outlying reading of {value}',
  flatline: '{what} stopped varying: the same reading, {value}, again and again',
  dropout: '{what} stopped arriving: nothing for {n} s',
  group: "{n} of this node's children alerted together",
  change: '{what} changed suddenly to {value} (what kind of change is decided within a few readings)',
  above: ': {diff} above the expected {mean} (usual range {lower} to {upper})',
  below: ': {diff} below the expected {mean} (usual range {lower} to {upper})',
  sure: '{pct} % sure.',
  since: 'Since {when}.',
  when: '{hms} UTC, {day} {month} {year}',
};

/** The server's language: English with British number grouping and month names. */
export const ALERT_ENGLISH: AlertLanguage = { phrases: ALERT_PHRASES_EN, locale: 'en-GB' };

/** Fills the `{name}` holes of a template; a hole without a value stays as it is. */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (hole, name: string) => {
    const v = values[name];
    return v === undefined ? hole : String(v);
  });
}

/** At most four significant digits, no exponent for everyday magnitudes. */
export function formatNumber(x: number, locale = 'en-GB'): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e9 || a < 1e-3)) return x.toPrecision(4);
  return numberFormat(locale).format(Number(x.toPrecision(4)));
}

// toLocaleString(locale, options) builds an Intl formatter on every call (~5 µs; an alert's words
// are written for every detection that updates it); these keep one per locale, same output.
const numberFormats = new Map<string, Intl.NumberFormat>();
const monthFormats = new Map<string, Intl.DateTimeFormat>();
function numberFormat(locale: string): Intl.NumberFormat {
  let f = numberFormats.get(locale);
  if (!f) numberFormats.set(locale, (f = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 })));
  return f;
}
function monthFormat(locale: string): Intl.DateTimeFormat {
  let f = monthFormats.get(locale);
  if (!f) monthFormats.set(locale, (f = new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' })));
  return f;
}

function whenText(ms: number, lang: AlertLanguage): string {
  const d = new Date(ms);
  return fillTemplate(lang.phrases.when, {
    hms: d.toISOString().slice(11, 19),
    day: d.getUTCDate(),
    month: monthFormat(lang.locale).format(d),
    year: d.getUTCFullYear(),
  });
}

export type DescribableAlert = Pick<Alert, 'kind' | 'value' | 'forecast' | 'probability' | 'raisedAt' | 'series'> & {
  since?: number;
  sigmas?: number;
};

export function describeAlert(a: DescribableAlert, ind: IndicatorWords, lang: AlertLanguage = ALERT_ENGLISH): string {
  const p = lang.phrases;
  const num = (x: number) => formatNumber(x, lang.locale);
  const unit = ind.unit && !a.series ? ` ${ind.unit}` : '';
  const v = (x: number) => `${num(x)}${unit}`;
  const what = a.series ? `${ind.name} ${a.series}` : ind.name;
  const up = a.forecast ? a.value >= a.forecast.mean : true;
  const template: Record<Alert['kind'], string> = {
    step: up ? p.stepUp : p.stepDown,
    slope: up ? p.slopeUp : p.slopeDown,
    transient: p.transient,
    flatline: p.flatline,
    dropout: p.dropout,
    group: p.group,
    change: p.change,
  };
  const change = fillTemplate(template[a.kind] ?? p.change, { what, value: v(a.value), n: num(a.value) });
  let against = '';
  if (a.forecast && a.kind !== 'flatline' && a.kind !== 'dropout' && a.kind !== 'group') {
    const diff = a.value - a.forecast.mean;
    against = fillTemplate(diff >= 0 ? p.above : p.below, {
      diff: v(Math.abs(diff)),
      mean: v(a.forecast.mean),
      lower: num(a.forecast.lower),
      upper: num(a.forecast.upper),
    });
  }
  const sure = fillTemplate(p.sure, { pct: Math.round(a.probability * 100) });
  const since = fillTemplate(p.since, { when: whenText(a.since ?? a.raisedAt, lang) });
  return `${change}${against}. ${sure} ${since}`;
}
