import type { Alert, Priority } from '@opsroom/models';
import { t } from '../i18n/i18n.js';

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
  return `${PRIORITY_SHAPES[p]} ${t(`priority.${p}`)}`;
}

/** `person` names a user by display name (default: the user name). */
export function badges(a: Alert, time: (ms: number) => string, person: (name: string) => string = (n) => n): Badge[] {
  const p = a.priority ?? 'medium';
  const word = t(`priority.${p}`);
  const out: Badge[] = [
    {
      kind: `priority-${p}`,
      shape: PRIORITY_SHAPES[p],
      text: word,
      title: t('badge.priorityTitle', { priority: word }),
    },
  ];
  if (a.shelved)
    out.push({
      kind: 'shelved',
      shape: '⏸',
      text: t('badge.shelvedUntil', { time: time(a.shelved.until) }),
      title: t('badge.shelvedBy', { person: person(a.shelved.by), note: a.shelved.note ? `: ${a.shelved.note}` : '' }),
    });
  if (a.maintenance)
    out.push({
      kind: 'maintenance',
      shape: '⚙',
      text: t('badge.maintenanceUntil', { time: time(a.maintenance.until) }),
      title: t('badge.maintenanceTitle', { reason: a.maintenance.reason }),
    });
  if (a.assignee)
    out.push({
      kind: 'assignee',
      shape: '👤',
      text: person(a.assignee),
      title: t('badge.assignedTo', { person: person(a.assignee) }),
    });
  if (a.chattering)
    out.push({
      kind: 'chattering',
      shape: '↻',
      text: t('badge.chattering', { count: a.chattering.raises }),
      title: t('badge.chatteringTitle', { count: a.chattering.raises, time: time(a.chattering.firstAt) }),
    });
  return out;
}
