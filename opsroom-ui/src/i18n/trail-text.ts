import { CHANGE_KINDS, PRIORITIES, type AlertTrailEntry, type TrailNoteKey } from '@opsroom/models';
import type { Names } from '../panels/trail-words.js';
import { formatDateTime, formatNumber, t, type MessageKey } from './i18n.js';

/** What a server note says: its key and parts, as the server's `says` field carries them. */
export interface NoteSays {
  key: TrailNoteKey;
  params: Readonly<Record<string, string | number>>;
}

type Parts = Record<string, string | undefined>;

/**
 * The server's fixed English notes (server/src/alerts/alert-lifecycle.ts and alert-service.ts), read
 * back into key and parts for entries saved before the server wrote `says`. `who` says whose entries
 * a pattern may be read from: the server's own, or (for the notes the server writes around a
 * person's move) the entry's action, so that a person's free comment is never mistaken for one.
 */
const PATTERNS: ReadonlyArray<{ key: TrailNoteKey; re: RegExp; who: (e: AlertTrailEntry) => boolean }> = (() => {
  const system = (e: AlertTrailEntry) => e.actor === 'system';
  const action = (a: AlertTrailEntry['action']) => (e: AlertTrailEntry) => e.action === a;
  const silence =
    String.raw`no (?<indicator>\S+) readings from device (?<device>\S+) ` +
    String.raw`since (?<since>\S+) \((?<seconds>\d+) s\)`;
  const note = String.raw`(?:: (?<note>[\s\S]*))?`;
  return [
    {
      key: 'raised',
      re: new RegExp(
        String.raw`^(?<kind>\w+) change in (?<indicator>\S+?)(?: (?<series>productivity|latency|performance))? ` +
          String.raw`\((?<pct>\d+) % sure\)$`,
      ),
      who: system,
    },
    {
      key: 'groupRaised',
      re: /^(?<count>\d+) of (?<of>\d+) children of (?<node>\S+) alerted within (?<seconds>\d+) s: (?<nodes>.+)$/,
      who: system,
    },
    { key: 'silence', re: new RegExp(`^${silence}$`), who: system },
    {
      key: 'reopened',
      re: new RegExp(
        String.raw`^re-raised while chattering: (?<count>\d+) raises within (?<minutes>[\d.]+) min ` +
          String.raw`\(more than (?<reraises>\d+) re-raises\); held as this one alert$`,
      ),
      who: system,
    },
    { key: 'refiredSilence', re: new RegExp(`^fired again: ${silence}$`), who: system },
    {
      key: 'refired',
      re: new RegExp(
        String.raw`^fired again: (?<what>a new change|the series stopped varying), (?<value>\S+) ` +
          String.raw`\((?:(?<far>[\d.]+) σ (?<dir>below|above) the forecast, )?(?<pct>\d+) % sure\)$`,
      ),
      who: system,
    },
    {
      key: 'reclassified',
      re: /^reclassified: now a (?<kind>\w+) change \((?<pct>\d+) % sure\), was (?<wasKind>\w+)$/,
      who: system,
    },
    { key: 'priority', re: /^priority (?<from>\w+) -> (?<to>\w+)$/, who: system },
    {
      key: 'groupPriority',
      re: /^priority (?<from>\w+) -> (?<to>\w+) \((?<alert>\S+) from (?<node>\S+)\)$/,
      who: system,
    },
    { key: 'escalated', re: /^correction window of (?<node>\S+) ran out$/, who: system },
    {
      key: 'escalatedGroup',
      re: /^correction window of (?<node>\S+) ran out; group (?<group>\S+) carries it further$/,
      who: system,
    },
    { key: 'escalatedRoot', re: /^correction window ran out at the root$/, who: system },
    {
      key: 'escalatedUp',
      re: /^correction window of (?<node>\S+) ran out; handed up to server (?<server>\S+)$/,
      who: system,
    },
    {
      key: 'shelved',
      re: new RegExp(String.raw`^until (?<until>\d{4}-\d\d-\d\dT[\d:.]+Z)${note}$`),
      who: action('shelved'),
    },
    { key: 'shelfExpired', re: /^shelf expired \(set by (?<by>\S+) until (?<until>\S+)\)$/, who: system },
    {
      key: 'assigned',
      re: new RegExp(String.raw`^assigned to (?<user>\S+)(?: \(was (?<was>\S+)\))?${note}$`),
      who: action('assigned'),
    },
    {
      key: 'unassigned',
      re: new RegExp(String.raw`^unassigned(?: \(was (?<was>\S+)\))?${note}$`),
      who: action('assigned'),
    },
    { key: 'grouped', re: /^grouped by (?<group>\S+) at (?<node>\S+)$/, who: system },
    { key: 'groupAdded', re: /^added (?<alert>\S+) from (?<node>\S+)$/, who: system },
    {
      key: 'resolvedWithGroup',
      re: new RegExp(String.raw`^resolved with group (?<group>[0-9a-fA-F-]{36})${note}$`),
      who: action('resolved'),
    },
    { key: 'groupResolved', re: /^every grouped alert is resolved \(the last by (?<by>\S+)\)$/, who: system },
    {
      key: 'maintenance',
      re: /^under maintenance window (?<window>\S+) on (?<node>\S+) until (?<until>\S+): (?<reason>[\s\S]*)$/,
      who: system,
    },
    { key: 'maintenanceEnded', re: /^maintenance window (?<window>\S+) ended$/, who: system },
    { key: 'directiveReceived', re: /^directive received$/, who: (e) => e.actor.startsWith('device:') },
  ];
})();

const NUMBER = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/;
const ISO = /^\d{4}-\d\d-\d\dT[\d:.]+Z$/;

/**
 * What a trail entry's note says: the server's `says` when it wrote one, else its note read with
 * the patterns above (an entry saved before `says`), else undefined (a person's note, or a note of
 * a server this room does not know).
 * @example noteSays({ …, actor: 'system', note: 'priority high -> medium' })
 * // { key: 'priority', params: { from: 'high', to: 'medium' } }
 */
export function noteSays(e: AlertTrailEntry): NoteSays | undefined {
  if (e.says) return e.says;
  if (e.note === undefined) return undefined;
  for (const p of PATTERNS) {
    const m = p.who(e) ? p.re.exec(e.note) : null;
    if (!m) continue;
    const raw: Parts = { ...m.groups };
    const params: Record<string, string | number> = {};
    if (p.key === 'refired') {
      raw.flatline = raw.what === 'the series stopped varying' ? '1' : '0';
      if (raw.far !== undefined) raw.sigmas = raw.dir === 'below' ? `-${raw.far}` : raw.far;
      delete raw.what;
      delete raw.far;
      delete raw.dir;
    }
    for (const [k, v] of Object.entries(raw)) {
      if (v === undefined) continue;
      params[k] = ISO.test(v) && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : NUMBER.test(v) ? Number(v) : v;
    }
    return { key: p.key, params };
  }
  return undefined;
}

const isKind = (x: string): x is (typeof CHANGE_KINDS)[number] => (CHANGE_KINDS as readonly string[]).includes(x);
const isPriority = (x: string): x is (typeof PRIORITIES)[number] => (PRIORITIES as readonly string[]).includes(x);
const isSeries = (x: string): x is 'productivity' | 'latency' | 'performance' =>
  x === 'productivity' || x === 'latency' || x === 'performance';

/** A time in a note: day, month and time of day in the active locale. */
const when = (ms: number) => formatDateTime(ms, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/**
 * A server note in the active language, from what it says, naming nodes, people, alerts and
 * indicators as the room does; a person's own words inside it (a shelve's or an assignment's note,
 * a maintenance window's reason) stay as they were written.
 * @example sayNote({ key: 'priority', params: { from: 'high', to: 'medium' } }, names)
 * // Spanish: 'prioridad alta → media'
 */
export function sayNote(says: NoteSays, names: Names): string {
  const p = says.params;
  const str = (k: string) => (p[k] === undefined ? '' : String(p[k]));
  const num = (k: string) => (typeof p[k] === 'number' ? formatNumber(p[k]) : str(k));
  const node = (k: string) => names.node(str(k));
  const alert = (k: string) => names.alert(str(k).toLowerCase()) ?? t('trail.anotherAlert');
  const kind = (k: string) => (isKind(str(k)) ? t(`kind.${str(k) as (typeof CHANGE_KINDS)[number]}`) : str(k));
  const priority = (k: string) =>
    isPriority(str(k)) ? t(`priority.${str(k) as (typeof PRIORITIES)[number]}`) : str(k);
  const time = (k: string) => (typeof p[k] === 'number' ? when(p[k]) : str(k));
  const indicator = (k: string) => names.indicator?.(str(k)) ?? str(k);
  const note = p.note === undefined ? '' : `: ${str('note')}`;
  const was = p.was === undefined ? '' : t('trailNote.was', { who: names.person(str('was')) });
  const series = isSeries(str('series')) ? ` ${t(`series.${str('series') as 'latency'}`)}` : '';
  const sigmas = typeof p.sigmas === 'number' ? p.sigmas : undefined;
  const far =
    sigmas === undefined
      ? ''
      : t(sigmas < 0 ? 'trailNote.below' : 'trailNote.above', {
          sigmas: formatNumber(Math.abs(sigmas), { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
        });
  const words: Record<string, string | number> = {
    count: typeof p.count === 'number' ? p.count : 0,
    n: num('count'),
    of: num('of'),
    pct: num('pct'),
    value: num('value'),
    seconds: num('seconds'),
    minutes: num('minutes'),
    reraises: num('reraises'),
    node: node('node'),
    nodes: str('nodes')
      .split(', ')
      .map((x) => names.node(x))
      .join(', '),
    alert: alert('alert'),
    group: alert('group'),
    kind: kind('kind'),
    wasKind: kind('wasKind'),
    from: priority('from'),
    to: priority('to'),
    indicator: indicator('indicator'),
    device: str('device'),
    server: str('server'),
    window: str('window'),
    reason: str('reason'),
    by: names.person(str('by')),
    user: names.person(str('user')),
    until: time('until'),
    since: time('since'),
    what: t(p.flatline === 1 ? 'trailNote.stoppedVarying' : 'trailNote.newChange'),
    far,
    series,
    note,
    was,
  };
  const key: MessageKey = `trailNote.${says.key}`;
  return t(key, words);
}
