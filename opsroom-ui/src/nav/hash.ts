import type { AlertQuery } from '@opsroom/models';

/**
 * The focus, the screen and the alert filter live in the URL hash so that deep links and reloads
 * work: `#/valle/norte` focuses `valle/norte`; `#/valle/norte?priority=high&q=lana` also filters
 * the alert screen; `…?view=health` shows the alarm-health screen; `…?room=2d` asks for the 2D room
 * instead of the 3D one. Each path segment is
 * URI-encoded; the part after `?` is a query string.
 *
 * @example pathFromHash('#/valle/norte')  // 'valle/norte'
 * @example pathFromHash('#/')             // null
 * @example hashFromPath('valle/sur oeste') // '#/valle/sur%20oeste'
 */
export function pathFromHash(hash: string): string | null {
  const raw = hash.replace(/^#\/?/, '').replace(/\?.*$/, '').replace(/\/+$/, '');
  if (!raw) return null;
  try {
    return (
      raw
        .split('/')
        .filter((s) => s.length > 0)
        .map((s) => decodeURIComponent(s))
        .join('/') || null
    );
  } catch {
    return null; // a malformed %-escape: treat as no focus
  }
}

export function hashFromPath(path: string | null): string {
  if (!path) return '#/';
  return '#/' + path.split('/').map(encodeURIComponent).join('/');
}

/** The screens of the room: the room itself (with the alert screen) and the alarm system's health. */
export type RoomView = 'room' | 'health';

/** The alert screen's filter as the URL holds it: an {@link AlertQuery} without node (the focus) or range. */
export type AlertViewFilter = Pick<AlertQuery, (typeof FILTER_KEYS)[number]>;

/** The filter's keys in the order the URL writes them. */
export const FILTER_KEYS = ['state', 'priority', 'kind', 'indicator', 'assignee', 'shelved', 'q'] as const;
const SHELVED = ['exclude', 'only', 'include'];

/** How the room is drawn: the 3D structure (the default when WebGL works) or the 2D tiles. */
export type SceneMode = '3d' | '2d';

export interface HashState {
  path: string | null;
  view: RoomView;
  filter: AlertViewFilter;
  scene: SceneMode;
}

/**
 * Everything the hash holds. Unknown keys and empty values are ignored; `shelved` must be one of
 * its three words. The values are checked against the model by whoever applies them.
 * @example parseHash('#/valle?priority=high&q=lana%20sur&view=health&room=2d')
 * // { path: 'valle', view: 'health', filter: { priority: 'high', q: 'lana sur' }, scene: '2d' }
 */
export function parseHash(hash: string): HashState {
  const query = /\?(.*)$/.exec(hash)?.[1] ?? '';
  const params = new URLSearchParams(query);
  const filter: AlertViewFilter = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k)?.trim();
    if (!v) continue;
    if (k === 'shelved') {
      if (SHELVED.includes(v)) filter.shelved = v as AlertViewFilter['shelved'];
    } else filter[k] = v.slice(0, 200);
  }
  return {
    path: pathFromHash(hash),
    view: params.get('view') === 'health' ? 'health' : 'room',
    filter,
    scene: params.get('room') === '2d' ? '2d' : '3d',
  };
}

/**
 * The hash of a state; the inverse of {@link parseHash} (keys in a fixed order, so equal states
 * give equal hashes).
 * @example formatHash({ path: 'valle', view: 'room', filter: { q: 'lana sur', priority: 'high' }, scene: '3d' })
 * // '#/valle?priority=high&q=lana+sur'
 */
export function formatHash(state: HashState): string {
  const params = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = state.filter[k];
    if (v) params.set(k, v);
  }
  if (state.view !== 'room') params.set('view', state.view);
  if (state.scene !== '3d') params.set('room', state.scene);
  const query = params.toString();
  return hashFromPath(state.path) + (query ? `?${query}` : '');
}

/** True when two filters hold the same values. */
export function sameFilter(a: AlertViewFilter, b: AlertViewFilter): boolean {
  return FILTER_KEYS.every((k) => (a[k] ?? '') === (b[k] ?? ''));
}
