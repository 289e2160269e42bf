/**
 * The MQTT topic grammar. The device id is a topic level of its own so that a
 * broker ACL can pin each device to its own topics (Mosquitto:
 * `pattern write opsroom/v1/devices/%u/readings`).
 *
 * | topic                                   | who publishes | payload                                   |
 * |-----------------------------------------|---------------|-------------------------------------------|
 * | `opsroom/v1/devices/{deviceId}/readings`| the device    | JSON reading(s) or InfluxDB line protocol |
 * | `opsroom/v1/devices/{deviceId}/status`  | the device    | JSON readings about the agent itself      |
 * | `opsroom/v1/devices/{deviceId}/commands`| the server    | JSON directive (planners' decisions)      |
 * | `opsroom/v1/devices/{deviceId}/rejects` | the server    | JSON: why a message was rejected          |
 */
export const TOPIC_ROOT = 'opsroom/v1/devices';

export const DEVICE_CHANNELS = ['readings', 'status', 'commands', 'rejects'] as const;
export type DeviceChannel = (typeof DEVICE_CHANNELS)[number];

/** Channels a device may publish to; the others it may only subscribe to. */
export const DEVICE_PUBLISH_CHANNELS: readonly DeviceChannel[] = ['readings', 'status'];
export const DEVICE_SUBSCRIBE_CHANNELS: readonly DeviceChannel[] = ['commands', 'rejects'];

/** Device ids: 1–64 of letters, digits, `.`, `_`, `-`; no MQTT wildcards or separators. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The topic of one device's channel.
 * @example deviceTopic('taller-1-plc', 'readings') // 'opsroom/v1/devices/taller-1-plc/readings'
 */
export function deviceTopic(deviceId: string, channel: DeviceChannel): string {
  if (!DEVICE_ID_PATTERN.test(deviceId)) throw new Error(`invalid device id ${JSON.stringify(deviceId)}`);
  return `${TOPIC_ROOT}/${deviceId}/${channel}`;
}

/** Subscription filter for one channel of every device, e.g. `opsroom/v1/devices/+/readings`. */
export function allDevicesFilter(channel: DeviceChannel): string {
  return `${TOPIC_ROOT}/+/${channel}`;
}

export interface ParsedDeviceTopic {
  deviceId: string;
  channel: DeviceChannel;
}

/**
 * Splits a topic of the grammar; null for anything else. The answer is frozen and shared by every
 * call with the same topic (a device publishes to the same two topics all day: one lookup instead
 * of a split and a pattern test per message).
 * @example parseDeviceTopic('opsroom/v1/devices/d1/readings') // { deviceId: 'd1', channel: 'readings' }
 */
export function parseDeviceTopic(topic: string): Readonly<ParsedDeviceTopic> | null {
  const hit = TOPIC_CACHE.get(topic);
  if (hit !== undefined) return hit;
  const parsed = splitDeviceTopic(topic);
  if (topic.length <= 256) {
    if (TOPIC_CACHE.size >= TOPIC_CACHE_MAX) TOPIC_CACHE.clear(); // bounded: junk topics cannot grow it
    TOPIC_CACHE.set(topic, parsed);
  }
  return parsed;
}

/** Topics parsed so far (valid ones and not), at most TOPIC_CACHE_MAX. */
const TOPIC_CACHE = new Map<string, Readonly<ParsedDeviceTopic> | null>();
const TOPIC_CACHE_MAX = 65_536;

function splitDeviceTopic(topic: string): Readonly<ParsedDeviceTopic> | null {
  if (!topic.startsWith(TOPIC_ROOT + '/')) return null;
  const rest = topic.slice(TOPIC_ROOT.length + 1).split('/');
  if (rest.length !== 2) return null;
  const [deviceId, channel] = rest as [string, string];
  if (!DEVICE_ID_PATTERN.test(deviceId)) return null;
  if (!(DEVICE_CHANNELS as readonly string[]).includes(channel)) return null;
  return Object.freeze({ deviceId, channel: channel as DeviceChannel });
}
