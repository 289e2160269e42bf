import { timingSafeEqual } from 'node:crypto';
import {
  DEVICE_PUBLISH_CHANNELS,
  DEVICE_SUBSCRIBE_CHANNELS,
  parseDeviceTopic,
  type DeviceDef,
  type ServerDef,
} from '@opsroom/models';
import { UNKNOWN_ACCOUNT_HASH, verifySecretAsync } from '../auth/hash.js';

/** The server's own MQTT identity on the embedded broker. `$` cannot start a device id, so it never collides. */
export const SERVICE_USERNAME = '$opsroom-server';

export interface ServiceCredentials {
  username: string;
  password: string;
}

export type BrokerPrincipal =
  { kind: 'service' } | { kind: 'device'; deviceId: string } | { kind: 'server'; serverId: string };

/**
 * Federation (issue 19 point 2): a child server logs in to its parent's broker as `$server:<id>` with the secret whose
 * hash is its `servers[].secret_hash`. `$` cannot start a device id, so it never collides with a device.
 */
export const SERVER_USERNAME_PREFIX = '$server:';

/** The topics of one federation link: the child publishes `up`, subscribes `down`. */
export function serverTopic(serverId: string, direction: 'up' | 'down'): string {
  return `opsroom/servers/${serverId}/${direction}`;
}

/**
 * The MQTT session (client id) a principal gets, whatever client id it sent.
 *
 * Rule: **a device's client id is its device id.** The broker takes the device id from the
 * authenticated user name, so a device can neither take over another device's session (and its
 * queued directives) nor kick another device off; two connections of one device share one session,
 * so the newer one replaces the older ([MQTT-3.1.4-2]) — at most one live connection per device.
 * Mosquitto does the same with `use_username_as_clientid true` (written by `opsroom broker-config`).
 * The server's own sessions start with `$`, which no device id can (models' `DEVICE_ID_PATTERN`).
 * @example sessionClientId({ kind: 'device', deviceId: 'taller-1-plc' }, 'agent-x') // 'taller-1-plc'
 * @example sessionClientId({ kind: 'service' }, 'tool') // '$opsroom-server/tool'
 */
export function sessionClientId(who: BrokerPrincipal, requested: string): string {
  if (who.kind === 'device') return who.deviceId;
  if (who.kind === 'server') return `${SERVER_USERNAME_PREFIX}${who.serverId}`;
  return `${SERVICE_USERNAME}/${requested}`;
}

/**
 * Who a CONNECT's credentials belong to, or null. Devices authenticate with their id as username
 * and their secret as password, checked against the model's scrypt hash. An unknown device id is
 * checked against a hash of nothing, so it costs the same time as a wrong secret. `verify` is the
 * hashing (the embedded broker passes its bounded queue).
 */
export async function authenticateClient(
  username: string | undefined,
  password: Buffer | undefined,
  devices: ReadonlyMap<string, DeviceDef>,
  service: ServiceCredentials,
  verify: (plain: string, hash: string) => Promise<boolean> = verifySecretAsync,
  servers: readonly ServerDef[] = [],
): Promise<BrokerPrincipal | null> {
  if (username === undefined || password === undefined) return null;
  if (username === service.username) {
    const a = Buffer.from(service.password);
    return a.length === password.length && timingSafeEqual(a, password) ? { kind: 'service' } : null;
  }
  if (username.startsWith(SERVER_USERNAME_PREFIX)) {
    const def = servers.find((s) => s.id === username.slice(SERVER_USERNAME_PREFIX.length));
    const ok = await verify(password.toString('utf8'), def?.secretHash ?? UNKNOWN_ACCOUNT_HASH);
    return ok && def?.secretHash ? { kind: 'server', serverId: def.id } : null;
  }
  // A disabled device costs the same hashing as any other refusal, so timing tells nothing.
  const found = devices.get(username);
  const device = found?.disabled ? undefined : found;
  const ok = await verify(password.toString('utf8'), device?.secretHash ?? UNKNOWN_ACCOUNT_HASH);
  return ok && device ? { kind: 'device', deviceId: device.id } : null;
}

/**
 * The devices whose live MQTT connection a model change ends at once: removed, disabled, or given
 * a new secret (a rotated secret must not leave the old connection running).
 * @example revokedDevices(new Map([['a', {id:'a', node:'n', secretHash:'h'}]]), new Map()) // ['a']
 */
export function revokedDevices(
  previous: ReadonlyMap<string, DeviceDef>,
  next: ReadonlyMap<string, DeviceDef>,
): string[] {
  const out: string[] = [];
  for (const [id, before] of previous) {
    const after = next.get(id);
    if (!after || (after.disabled && !before.disabled) || after.secretHash !== before.secretHash) out.push(id);
  }
  return out;
}

/**
 * Least privilege for devices: a device may publish only to its own readings and status topics.
 * @example mayPublish({ kind: 'device', deviceId: 'a' }, 'opsroom/v1/devices/b/readings') // false
 */
export function mayPublish(who: BrokerPrincipal, topic: string): boolean {
  if (who.kind === 'service') return true;
  if (who.kind === 'server') return topic === serverTopic(who.serverId, 'up');
  const t = parseDeviceTopic(topic);
  return t !== null && t.deviceId === who.deviceId && DEVICE_PUBLISH_CHANNELS.includes(t.channel);
}

/**
 * Whether a message on `topic` may be delivered to `who` — checked again at delivery (aedes
 * `authorizeForward`), including messages queued in a persistent session while it was offline, not
 * only when the subscription was made.
 * @example mayReceive({ kind: 'device', deviceId: 'a' }, 'opsroom/v1/devices/b/commands') // false
 */
export function mayReceive(who: BrokerPrincipal, topic: string): boolean {
  if (who.kind === 'service') return true;
  if (who.kind === 'server') return topic === serverTopic(who.serverId, 'down');
  const t = parseDeviceTopic(topic);
  return t !== null && t.deviceId === who.deviceId && DEVICE_SUBSCRIBE_CHANNELS.includes(t.channel);
}

/** A device may subscribe only to its own commands and rejects topics, with no wildcards. */
export function maySubscribe(who: BrokerPrincipal, filter: string): boolean {
  if (who.kind === 'service') return true;
  if (who.kind === 'server') return filter === serverTopic(who.serverId, 'down');
  if (filter.includes('+') || filter.includes('#')) return false;
  const t = parseDeviceTopic(filter);
  return t !== null && t.deviceId === who.deviceId && DEVICE_SUBSCRIBE_CHANNELS.includes(t.channel);
}
