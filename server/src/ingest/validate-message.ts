import {
  decodeReadings,
  parseDeviceTopic,
  type DecodeLimits,
  type Model,
  type NodeReading,
  type Rejection,
} from '@opsroom/models';

export interface ValidatedMessage {
  deviceId: string | null;
  channel: 'readings' | 'status' | null;
  readings: NodeReading[];
  rejections: Rejection[];
}

/**
 * Turns one MQTT message into readings attributed to the node the model binds the device to.
 * The device comes from the topic (which the broker's ACL pins to the authenticated device),
 * never from the payload. Readings on `readings` must name an indicator of the model; readings on
 * `status` (the agent's own health) may use any metric id.
 */
export function validateMessage(topic: string, payload: Uint8Array, model: Model, now: number, limits: DecodeLimits): ValidatedMessage {
  const t = parseDeviceTopic(topic);
  if (!t || (t.channel !== 'readings' && t.channel !== 'status')) {
    return { deviceId: t?.deviceId ?? null, channel: null, readings: [], rejections: [{ code: 'bad_topic', message: `topic ${JSON.stringify(topic.slice(0, 120))} is not a device readings or status topic` }] };
  }
  const device = model.devices.get(t.deviceId);
  if (!device) {
    return { deviceId: t.deviceId, channel: t.channel, readings: [], rejections: [{ code: 'unknown_device', message: `device ${t.deviceId} is not in the model` }] };
  }
  const decoded = decodeReadings(payload, now, limits);
  const readings: NodeReading[] = [];
  const rejections = decoded.rejections;
  const indicatorIds = indicatorSet(model);
  for (const r of decoded.readings) {
    if (t.channel === 'readings' && !indicatorIds.has(r.metric)) {
      rejections.push({ code: 'unknown_metric', message: `metric ${r.metric} is not an indicator of the model` });
      continue;
    }
    readings.push({ metric: r.metric, value: r.value, ts: r.ts, deviceId: device.id, node: device.node });
  }
  return { deviceId: t.deviceId, channel: t.channel, readings, rejections };
}

const cache = new WeakMap<Model, Set<string>>();
function indicatorSet(model: Model): Set<string> {
  let s = cache.get(model);
  if (!s) {
    s = new Set(model.indicators.map((i) => i.id));
    cache.set(model, s);
  }
  return s;
}
