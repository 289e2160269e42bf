import {
  decodeReadingColumns,
  parseDeviceTopic,
  type DecodeLimits,
  type Model,
  type ReadingBatch,
  type ReadingColumns,
  type Rejection,
} from '@opsroom/models';
import { SeriesTags } from './series-tags.js';

export interface ValidatedMessage {
  deviceId: string | null;
  channel: 'readings' | 'status' | null;
  /** The accepted readings in columns, attributed to the device's node; null when none. */
  batch: ReadingBatch | null;
  rejections: Rejection[];
}

/**
 * Turns one MQTT message into readings attributed to the node the model binds the device to.
 * The device comes from the topic (which the broker's ACL pins to the authenticated device),
 * never from the payload. Readings on `readings` must name an indicator of the model; readings on
 * `status` (the agent's own health) may use any metric id. No object per reading: the decoder
 * fills columns and the indicator check runs once per distinct metric of the message.
 * Tags (line protocol, Telegraf JSON) are mapped and bound to series by `series` (series-tags.ts):
 * a metric comes from one tag set per device; readings of another are refused as tag_conflict.
 */
export function validateMessage(
  topic: string,
  payload: Uint8Array,
  model: Model,
  now: number,
  limits: DecodeLimits,
  series: SeriesTags = defaultSeries,
): ValidatedMessage {
  const t = parseDeviceTopic(topic);
  if (!t || (t.channel !== 'readings' && t.channel !== 'status')) {
    return {
      deviceId: t?.deviceId ?? null,
      channel: null,
      batch: null,
      rejections: [
        {
          code: 'bad_topic',
          message: `topic ${JSON.stringify(topic.slice(0, 120))} is not a device readings or status topic`,
        },
      ],
    };
  }
  const device = model.devices.get(t.deviceId);
  if (!device) {
    return {
      deviceId: t.deviceId,
      channel: t.channel,
      batch: null,
      rejections: [{ code: 'unknown_device', message: `device ${t.deviceId} is not in the model` }],
    };
  }
  const { columns, rejections } = decodeReadingColumns(payload, now, limits, TAGS);
  series.map(columns, device, rejections);
  if (t.channel === 'readings') dropUnknownMetrics(columns, indicatorSet(model), rejections);
  series.bind(columns, device.id, device.tags, t.channel, now, rejections);
  const batch: ReadingBatch | null =
    columns.length === 0
      ? null
      : {
          length: columns.length,
          metricNames: columns.metricNames,
          metric: columns.metric,
          ts: columns.ts,
          values: columns.values,
          deviceId: device.id,
          node: device.node,
        };
  return { deviceId: t.deviceId, channel: t.channel, batch, rejections };
}

/** Removes, in place, the readings whose metric is not an indicator; one rejection per reading removed. */
function dropUnknownMetrics(cols: ReadingColumns, indicators: ReadonlySet<string>, rejections: Rejection[]): void {
  let known = 0;
  for (const m of cols.metricNames) if (indicators.has(m)) known++;
  if (known === cols.metricNames.length) return;
  const unknown = cols.metricNames.map((m) => !indicators.has(m));
  let kept = 0;
  for (let i = 0; i < cols.length; i++) {
    const m = cols.metric[i]!;
    if (unknown[m]) {
      rejections.push({
        code: 'unknown_metric',
        message: `metric ${cols.metricNames[m]} is not an indicator of the model`,
      });
      continue;
    }
    cols.metric[kept] = m;
    if (cols.tagSet) cols.tagSet[kept] = cols.tagSet[i]!;
    cols.ts[kept] = cols.ts[i]!;
    cols.values[kept] = cols.values[i]!;
    kept++;
  }
  cols.length = kept;
}

const TAGS = Object.freeze({ tags: true });
/** The bindings of callers that bring none (tests, tools); the pipeline keeps its own. */
const defaultSeries = new SeriesTags();

const cache = new WeakMap<Model, Set<string>>();
function indicatorSet(model: Model): Set<string> {
  let s = cache.get(model);
  if (!s) {
    s = new Set(model.indicators.map((i) => i.id));
    cache.set(model, s);
  }
  return s;
}
