import { t } from '../i18n/i18n.js';

/**
 * Time left until a deadline as a short clock: `m:ss`, or `h:mm:ss` from an hour on;
 * `overdue m:ss` once it has passed; `—` without a deadline. Rounds the time left up
 * to the whole second, so `0:00` shows only at the deadline itself.
 *
 * @example formatCountdown(125_400, 0)      // '2:06'
 * @example formatCountdown(3_725_000, 0)    // '1:02:05'
 * @example formatCountdown(0, 12_000)       // 'overdue 0:12'
 * @example formatCountdown(null, 0)         // '—'
 */
export function formatCountdown(deadline: number | null, now: number): string {
  if (deadline === null || !Number.isFinite(deadline)) return '—';
  const left = deadline - now;
  if (left < 0) return t('format.overdue', { clock: clock(Math.floor(-left / 1000)) });
  return clock(Math.ceil(left / 1000));
}

function clock(totalSeconds: number): string {
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * How pressing a deadline is, for styling: `overdue`; `soon` when less than a minute or a fifth
 * of the correction window is left; else `ok`; `none` without a deadline.
 * @example countdownLevel(30_000, 0, 600_000) // 'soon'
 */
export function countdownLevel(
  deadline: number | null,
  now: number,
  windowMs: number,
): 'none' | 'ok' | 'soon' | 'overdue' {
  if (deadline === null) return 'none';
  const left = deadline - now;
  if (left < 0) return 'overdue';
  return left < 60_000 || left < windowMs / 5 ? 'soon' : 'ok';
}
