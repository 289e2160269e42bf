import { ConfigError } from '../errors.js';

/** Where the server's ingest client connects, and as whom: the URL never carries the credentials. */
export interface BrokerConnection {
  /** The broker's URL with any user info removed. */
  url: string;
  username?: string;
  password?: string;
}

/**
 * Splits an external broker's URL from the server's credentials. The user name and password come
 * from their own settings (OPSROOM_BROKER_USERNAME / OPSROOM_BROKER_PASSWORD, taken as written: any
 * character, no encoding), or else from the URL's user info, percent-decoded (RFC 3986 §3.2.1:
 * `@`, `:`, `/`, `#`, `?` and `%` in a password must be written %40, %3A, %2F, %23, %3F, %25).
 * They are handed to mqtt.js as options, never left in the URL: mqtt.js splits a URL's user info
 * at its last `:`, so a password containing `:` would reach the broker cut in two.
 * @example brokerConnection('mqtt://opsroom-server:p%3Aw%40d@mosquitto:1883')
 *   // { url: 'mqtt://mosquitto:1883', username: 'opsroom-server', password: 'p:w@d' }
 * @example brokerConnection('mqtt://mosquitto:1883', 'opsroom-server', 'p:w@d/#')
 *   // { url: 'mqtt://mosquitto:1883', username: 'opsroom-server', password: 'p:w@d/#' }
 */
export function brokerConnection(brokerUrl: string, username?: string, password?: string): BrokerConnection {
  let u: URL;
  try {
    u = new URL(brokerUrl);
  } catch {
    throw new ConfigError(`the broker URL must be a URL, got ${JSON.stringify(brokerUrl)}`);
  }
  const decode = (part: 'user name' | 'password', raw: string): string | undefined => {
    if (raw === '') return undefined;
    try {
      return decodeURIComponent(raw);
    } catch {
      throw new ConfigError(
        `the broker URL's ${part} has a bad %-escape; percent-encode it, or leave it out of the URL and set ${part === 'password' ? 'OPSROOM_BROKER_PASSWORD' : 'OPSROOM_BROKER_USERNAME'}`,
      );
    }
  };
  const fromUrl = { username: decode('user name', u.username), password: decode('password', u.password) };
  u.username = '';
  u.password = '';
  const conn: BrokerConnection = { url: u.toString().replace(/\/$/, '') };
  const user = username ?? fromUrl.username;
  const pass = password ?? fromUrl.password;
  if (user !== undefined) conn.username = user;
  if (pass !== undefined) conn.password = pass;
  return conn;
}
