/**
 * A URL as it may be logged: any password replaced by `***`, no trailing slash; anything that is
 * not a URL becomes `(invalid url)`, so a malformed value with a secret in it is never echoed.
 * @example redactUrl('mqtt://opsroom-server:s3cret@broker:1883') // 'mqtt://opsroom-server:***@broker:1883'
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid url)';
  }
}
