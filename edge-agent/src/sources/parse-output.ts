import { toMetricId, toValue } from './metric-id.js';

/** One metric parsed out of a command's output. */
export interface ParsedValue {
  metric: string;
  value: number;
}

export type OutputFormat = 'keyvalue' | 'json' | 'auto';

/**
 * Parses what a command printed into metric values.
 *
 * - `keyvalue`: one `key=value` or `key: value` per line; blank lines and `#` comments skipped;
 *   lines whose value is not a number are skipped.
 * - `json`: an object (nested objects flatten with `_`: `{"cpu":{"temp":41}}` -> `cpu_temp`), or
 *   an array of `{ "metric": …, "value": … }`.
 * - `auto`: JSON when the output starts with `{` or `[`, else key=value.
 *
 * Keys become metric ids through `toMetricId`. Throws when JSON was expected and is not valid.
 * @example parseCommandOutput('temp=21.5\nhumidity: 40\n', 'auto') //
 * [{metric:'temp',value:21.5},{metric:'humidity',value:40}]
 * @example parseCommandOutput('{"cpu":{"temp":41}}', 'auto') // [{metric:'cpu_temp',value:41}]
 */
export function parseCommandOutput(text: string, format: OutputFormat = 'auto'): ParsedValue[] {
  const t = text.trim();
  const json = format === 'json' || (format === 'auto' && (t.startsWith('{') || t.startsWith('[')));
  if (!json) return parseKeyValue(t);
  let doc: unknown;
  try {
    doc = JSON.parse(t);
  } catch (err) {
    throw new Error(`output is not valid JSON (${(err as Error).message}); print a JSON object or key=value lines`, {
      cause: err,
    });
  }
  const out: ParsedValue[] = [];
  if (Array.isArray(doc)) {
    for (const item of doc) {
      const o = item as { metric?: unknown; value?: unknown } | null;
      const value = toValue(o?.value);
      if (typeof o?.metric === 'string' && value !== undefined) out.push({ metric: toMetricId(o.metric), value });
    }
    return out;
  }
  flatten(doc, '', out);
  return out;
}

function flatten(x: unknown, prefix: string, out: ParsedValue[]): void {
  if (typeof x === 'object' && x !== null && !Array.isArray(x)) {
    for (const [k, v] of Object.entries(x)) flatten(v, prefix ? `${prefix}_${k}` : k, out);
    return;
  }
  const value = toValue(x);
  if (prefix && value !== undefined) out.push({ metric: toMetricId(prefix), value });
}

function parseKeyValue(text: string): ParsedValue[] {
  const out: ParsedValue[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([^=:]+?)\s*[=:]\s*(.+)$/.exec(line);
    if (!m) continue;
    const value = toValue(m[2]!.replace(/\s*[A-Za-z%°]+$/, '')); // tolerate a unit after the number: `temp=21.5 C`
    if (value !== undefined) out.push({ metric: toMetricId(m[1]!), value });
  }
  return out;
}
