import type { AlertTrailEntry } from '@opsroom/models';
import { language, t } from '../i18n/i18n.js';
import { noteSays, sayNote } from '../i18n/trail-text.js';

/** How the room names things: nodes by name, people by display name, alerts by what and where. */
export interface Names {
  node(path: string): string;
  person(name: string): string;
  /** An alert in words ("Output at Taller 2"), or undefined when the room does not hold it. */
  alert(id: string): string | undefined;
  /** An indicator by its model name (optional: its id otherwise). */
  indicator?(id: string): string | undefined;
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const NODE_PATH = /[\p{L}\p{N}_.-]+(?:\/[\p{L}\p{N}_.-]+)+/gu;
const PERSON_AFTER = /\b(assigned to|was|by) ([\p{L}\p{N}_.@-]+)/gu;

/** Who did it, in words: a person's display name, `device <id>` for a device, `system` for the server. */
export function actorName(actor: string, names: Pick<Names, 'person'>): string {
  if (actor === 'system') return t('trail.system');
  if (actor.startsWith('device:')) return t('trail.device', { id: actor.slice('device:'.length) });
  return names.person(actor);
}

/**
 * A trail note with ids and paths put in words: alert ids become the alert they name (or "another
 * alert"), node paths their names, and the user after "assigned to", "was" or "by" their display name.
 * @example noteWords('resolved with group 0f…e1: done', names) // 'resolved with group Output at Norte: done'
 */
export function noteWords(note: string, names: Names): string {
  return note
    .replace(UUID, (id) => names.alert(id.toLowerCase()) ?? names.alert(id) ?? t('trail.anotherAlert'))
    .replace(NODE_PATH, (p) => {
      const n = names.node(p);
      return n === p ? p : n;
    })
    .replace(PERSON_AFTER, (_m, lead: string, who: string) => `${lead} ${names.person(who)}`);
}

/**
 * A trail entry's note in the active language. In English it is the note as written (ids and paths
 * put in words); in another language a note the server wrote is said from what it says (its `says`
 * field, or its fixed English pattern on an entry saved before that field), and a person's note
 * stays as written.
 */
export function trailNote(e: AlertTrailEntry, names: Names): string | undefined {
  if (e.note === undefined) return undefined;
  if (language() !== 'en') {
    const says = noteSays(e);
    if (says) return sayNote(says, names);
  }
  return noteWords(e.note, names);
}

/**
 * One line of an alert's trail, naming people and nodes, never bare ids:
 * `time actor action[ from → to][: “note”]`.
 * @example
 *   trailLine({ at, actor: 'planner', action: 'escalated', fromNode: 'valle/norte', toNode: 'valle', … }, names, fmt)
 * // '14:05 Regional planner escalated Norte → Valle'
 */
export function trailLine(e: AlertTrailEntry, names: Names, time: (ms: number) => string): string {
  const move = e.fromNode !== e.toNode ? ` ${names.node(e.fromNode)} → ${names.node(e.toNode)}` : '';
  const text = trailNote(e, names);
  const note = text ? `: “${text}”` : '';
  return `${time(e.at)} ${actorName(e.actor, names)} ${t(`action.${e.action}`)}${move}${note}`;
}
