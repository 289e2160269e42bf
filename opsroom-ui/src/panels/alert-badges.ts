import type { Alert, Priority } from '@opsroom/models';

/**
 * What an alert card shows beside its state, in a word and a shape as well as a colour (a
 * colour-blind operator, a grey-scale print and a screen reader all get it): its priority, and
 * whether it is shelved, under maintenance, assigned to someone, or chattering.
 *
 * @example badges({ priority: 'critical', shelved: { until: … } … }, fmt)
 * // [{ kind: 'priority-critical', shape: '▮▮▮▮', text: 'critical' }, { kind: 'shelved', shape: '⏸', text: 'shelved
 * until 14:05' }]
 */
export interface Badge {
  /** CSS modifier: `priority-<p>`, `shelved`, `maintenance`, `assignee`, `chattering`. */
  kind: string;
  shape: string;
  text: string;
  /** Longer words for the tooltip and screen readers. */
  title: string;
}

/** Bars like a signal meter (the state already uses ▲ ◆ ✓ ○): more bars, more urgent. */
export const PRIORITY_SHAPES: Record<Priority, string> = { critical: '▮▮▮▮', high: '▮▮▮', medium: '▮▮', low: '▮' };

/**
 * A priority in a shape and a word, for text-only places (the 2D room, tooltips). @example priorityLabel('high') //
 * '▮▮▮ high'
 */
export function priorityLabel(p: Priority): string {
  return `${PRIORITY_SHAPES[p]} ${p}`;
}

/** `person` names a user by display name (default: the user name). */
export function badges(a: Alert, time: (ms: number) => string, person: (name: string) => string = (n) => n): Badge[] {
  const p = a.priority ?? 'medium';
  const out: Badge[] = [{ kind: `priority-${p}`, shape: PRIORITY_SHAPES[p], text: p, title: `priority ${p}` }];
  if (a.shelved)
    out.push({
      kind: 'shelved',
      shape: '⏸',
      text: `shelved until ${time(a.shelved.until)}`,
      title:
        `shelved by ${person(a.shelved.by)}${a.shelved.note ? `: ${a.shelved.note}` : ''}; ` +
        `its correction window is paused`,
    });
  if (a.maintenance)
    out.push({
      kind: 'maintenance',
      shape: '⚙',
      text: `maintenance until ${time(a.maintenance.until)}`,
      title: `under a maintenance window: ${a.maintenance.reason}`,
    });
  if (a.assignee)
    out.push({ kind: 'assignee', shape: '👤', text: person(a.assignee), title: `assigned to ${person(a.assignee)}` });
  if (a.chattering)
    out.push({
      kind: 'chattering',
      shape: '↻',
      text: `chattering ×${a.chattering.raises}`,
      title: `raised ${a.chattering.raises} times since ${time(a.chattering.firstAt)}; held as this one alert`,
    });
  return out;
}
