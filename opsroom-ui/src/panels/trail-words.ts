import type { AlertTrailEntry } from '@opsroom/models';

/** How the room names things: nodes by name, people by display name, alerts by what and where. */
export interface Names {
  node(path: string): string;
  person(name: string): string;
  /** An alert in words ("Output at Taller 2"), or undefined when the room does not hold it. */
  alert(id: string): string | undefined;
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const NODE_PATH = /[\p{L}\p{N}_.-]+(?:\/[\p{L}\p{N}_.-]+)+/gu;
const PERSON_AFTER = /\b(assigned to|was|by) ([\p{L}\p{N}_.@-]+)/gu;

/** Who did it, in words: a person's display name, `device <id>` for a device, `system` for the server. */
export function actorName(actor: string, names: Pick<Names, 'person'>): string {
  if (actor === 'system') return 'system';
  if (actor.startsWith('device:')) return `device ${actor.slice('device:'.length)}`;
  return names.person(actor);
}

/**
 * A trail note with ids and paths put in words: alert ids become the alert they name (or "another
 * alert"), node paths their names, and the user after "assigned to", "was" or "by" their display name.
 * @example noteWords('resolved with group 0f…e1: done', names) // 'resolved with group Output at Norte: done'
 */
export function noteWords(note: string, names: Names): string {
  return note
    .replace(UUID, (id) => names.alert(id.toLowerCase()) ?? names.alert(id) ?? 'another alert')
    .replace(NODE_PATH, (p) => {
      const n = names.node(p);
      return n === p ? p : n;
    })
    .replace(PERSON_AFTER, (_m, lead: string, who: string) => `${lead} ${names.person(who)}`);
}

/**
 * One line of an alert's trail, naming people and nodes, never bare ids:
 * `time actor action[ from → to][: “note”]`.
 * @example
 *   trailLine({ at, actor: 'planner', action: 'escalated', fromNode: 'valle/norte', toNode: 'valle', … }, names, fmt)
 * // '14:05 Regional planner escalated Norte → Valle'
 */
export function trailLine(t: AlertTrailEntry, names: Names, time: (ms: number) => string): string {
  const move = t.fromNode !== t.toNode ? ` ${names.node(t.fromNode)} → ${names.node(t.toNode)}` : '';
  const note = t.note ? `: “${noteWords(t.note, names)}”` : '';
  return `${time(t.at)} ${actorName(t.actor, names)} ${t.action}${move}${note}`;
}
