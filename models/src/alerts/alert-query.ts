import type { Alert } from './alert.js';
import { inScope } from '../vsm/model.js';

/**
 * What an alert list can be narrowed by (issue 15 point 6). The server's `GET /api/alerts` and
 * `GET /api/alerts/counts` take these as query parameters; the ops room keeps them in the URL.
 * Every field is optional; an absent field does not filter.
 */
export interface AlertQuery {
  /** `open` = any state but resolved; else one state. */
  state?: string;
  /** Alerts that passed through this node or its subtree (any node of their path). */
  node?: string;
  kind?: string;
  /** low | medium | high | critical (an alert without one counts as medium). */
  priority?: string;
  indicator?: string;
  /** A user name; `-` means nobody is assigned. */
  assignee?: string;
  /** `exclude` shelved alerts (the default with state=open: the active list), `only` them, or `include` them. */
  shelved?: 'exclude' | 'only' | 'include';
  /**
   * Free text: every word of it must begin a word of the alert's text ({@link alertText}), case and
   * accents aside: "lana" finds "Cooperativa Lana (wool)", "0f8f" an id beginning so.
   */
  q?: string;
  /** raisedAt bounds, ms since epoch, inclusive. */
  since?: number;
  until?: number;
}

/** The facets counted by {@link alertFacets}, each the value an alert has for it. */
export const ALERT_FACETS = ['state', 'priority', 'kind', 'indicator', 'node', 'assignee', 'shelved'] as const;
export type AlertFacet = (typeof ALERT_FACETS)[number];

/** Per facet, how many alerts have each value; `state` also counts `open` (every state but resolved). */
export type AlertFacetCounts = Record<AlertFacet, Record<string, number>>;

/** Names for the free-text search: a node's and an indicator's human names, a user's display name. */
export interface AlertWords {
  node?: (path: string) => string | undefined;
  indicator?: (id: string) => string | undefined;
  user?: (name: string) => string | undefined;
}

/** `-` stands for "nobody" in the assignee filter and facet. */
export const UNASSIGNED = '-';

/** The shelved filter in force: the default is `exclude` with state=open (the active list), else `include`. */
export function effectiveShelved(q: AlertQuery): 'exclude' | 'only' | 'include' {
  return q.shelved ?? (q.state === 'open' ? 'exclude' : 'include');
}

/**
 * Lower case without accents, so that "Quesería" is found by "queseria".
 * @example fold('Quesería Sur') // 'queseria sur'
 */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/**
 * Everything free text is matched against, folded: id, kind, state, priority, indicator (id and
 * name), every node of its path (path and name), assignee (name and display name), the summary,
 * and the trail's actors and notes.
 */
export function alertText(a: Alert, words: AlertWords = {}): string {
  const parts: string[] = [a.id, a.kind, a.state, a.priority ?? 'medium', a.indicator];
  parts.push(words.indicator?.(a.indicator) ?? '');
  for (const p of new Set([a.node, ...a.path])) parts.push(p, words.node?.(p) ?? '');
  if (a.assignee) parts.push(a.assignee, words.user?.(a.assignee) ?? '');
  if (a.series) parts.push(a.series);
  if (a.summary) parts.push(a.summary);
  if (a.shelved) parts.push('shelved', a.shelved.note ?? '');
  if (a.chattering) parts.push('chattering');
  if (a.maintenance) parts.push('maintenance', a.maintenance.reason);
  for (const t of a.trail) parts.push(t.actor, words.user?.(t.actor) ?? '', t.note ?? '');
  return fold(parts.join('\n'));
}

/** The value an alert has for a facet. */
export function facetValue(a: Alert, facet: AlertFacet): string {
  switch (facet) {
    case 'state':
      return a.state;
    case 'priority':
      return a.priority ?? 'medium';
    case 'kind':
      return a.kind;
    case 'indicator':
      return a.indicator;
    case 'node':
      return a.node;
    case 'assignee':
      return a.assignee ?? UNASSIGNED;
    case 'shelved':
      return a.shelved ? 'only' : 'exclude';
  }
}

/** True when the alert passes the one filter of `facet` in `q` (absent filter: true). */
function passes(a: Alert, q: AlertQuery, facet: AlertFacet): boolean {
  switch (facet) {
    case 'state':
      return !q.state || (q.state === 'open' ? a.state !== 'resolved' : a.state === q.state);
    case 'node':
      return !q.node || a.path.some((p) => inScope(q.node!, p));
    case 'assignee':
      return !q.assignee || (a.assignee ?? UNASSIGNED) === q.assignee;
    case 'shelved': {
      const s = effectiveShelved(q);
      return s === 'include' || (s === 'only') === Boolean(a.shelved);
    }
    default:
      return !q[facet] || facetValue(a, facet) === q[facet];
  }
}

const WORD_BREAK = /[^\p{L}\p{N}]+/u;

/** The words of a free-text query, folded; empty when there is none. */
function terms(q: AlertQuery): string[] {
  return q.q ? fold(q.q).split(WORD_BREAK).filter(Boolean) : [];
}

/** True when every term begins some word of the text (word-prefix search: "2" does not find "12"). */
function found(text: string, t: readonly string[]): boolean {
  const words = text.split(WORD_BREAK);
  return t.every((term) => words.some((w) => w.startsWith(term)));
}

function inRange(a: Alert, q: AlertQuery): boolean {
  return a.raisedAt >= (q.since ?? 0) && a.raisedAt <= (q.until ?? Number.MAX_SAFE_INTEGER);
}

/**
 * True when the alert passes every filter of the query. Scope is the caller's business (the
 * server checks it first); this only narrows.
 * @example alertMatches(a, { state: 'open', priority: 'high', q: 'taller 2' })
 */
export function alertMatches(a: Alert, q: AlertQuery, words: AlertWords = {}): boolean {
  if (!inRange(a, q)) return false;
  for (const f of ALERT_FACETS) if (!passes(a, q, f)) return false;
  const t = terms(q);
  if (t.length === 0) return true;
  return found(alertText(a, words), t);
}

/**
 * Counts per facet, as a faceted search shows them: each facet's counts apply every filter of the
 * query except that facet's own, so they say how many alerts choosing another value would show.
 * `total` is how many pass the whole query. The free text and the raisedAt range always apply.
 *
 * @example
 *   alertFacets(alerts, { state: 'open', priority: 'high' })
 *   // { total: 3, facets: { priority: { critical: 1, high: 3, medium: 9 }, state: { open: 3, raised: 2, … }, … } }
 */
export function alertFacets(
  alerts: Iterable<Alert>,
  q: AlertQuery,
  words: AlertWords = {},
): { total: number; facets: AlertFacetCounts } {
  const facets = Object.fromEntries(ALERT_FACETS.map((f) => [f, {}])) as AlertFacetCounts;
  const t = terms(q);
  let total = 0;
  for (const a of alerts) {
    if (!inRange(a, q)) continue;
    if (t.length && !found(alertText(a, words), t)) continue;
    const pass = ALERT_FACETS.map((f) => passes(a, q, f));
    const failing = pass.filter((p) => !p).length;
    if (failing === 0) total++;
    if (failing > 1) continue;
    ALERT_FACETS.forEach((f, i) => {
      if (failing === 1 && pass[i]) return; // fails another facet: not counted here
      const counts = facets[f];
      const v = facetValue(a, f);
      counts[v] = (counts[v] ?? 0) + 1;
      if (f === 'state' && v !== 'resolved') counts.open = (counts.open ?? 0) + 1;
    });
  }
  return { total, facets };
}
