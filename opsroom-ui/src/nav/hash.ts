/**
 * The focus lives in the URL hash so that deep links work: `#/valle/norte` focuses `valle/norte`.
 * Each path segment is URI-encoded.
 *
 * @example pathFromHash('#/valle/norte')  // 'valle/norte'
 * @example pathFromHash('#/')             // null
 * @example hashFromPath('valle/sur oeste') // '#/valle/sur%20oeste'
 */
export function pathFromHash(hash: string): string | null {
  const raw = hash.replace(/^#\/?/, '').replace(/\/+$/, '');
  if (!raw) return null;
  try {
    return raw
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => decodeURIComponent(s))
      .join('/') || null;
  } catch {
    return null; // a malformed %-escape: treat as no focus
  }
}

export function hashFromPath(path: string | null): string {
  if (!path) return '#/';
  return '#/' + path.split('/').map(encodeURIComponent).join('/');
}
