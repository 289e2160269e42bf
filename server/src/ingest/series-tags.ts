import {
  METRIC_PATTERN,
  type DeviceDef,
  type DeviceTagRule,
  type ReadingColumns,
  type Rejection,
} from '@opsroom/models';

/**
 * The tag rule of line protocol and Telegraf JSON (README "The contract", MQTT; model `devices[].tags`).
 *
 * 1. The device and its node come from the topic and the model, never from a tag.
 * 2. The metric is `<measurement>` (field `value`) or `<measurement>_<field>`, then the values of
 *    the tags the device's `tags.metric` names, in that order, each after a `_`:
 *    `temperature,sensor=oven1 value=180` with `metric: [sensor]` is `temperature_oven1`. A tagged
 *    reading without one of those tags is refused (`missing_tag`).
 * 3. Every other tag, except those in `tags.ignore`, is part of the series' identity. opsroom
 *    keeps one series per device and metric, so a metric is bound to the first tag set it comes
 *    from; a reading of that metric from another tag set is another series and is refused
 *    (`tag_conflict`) instead of being merged into the first. A reading without tags (opsroom's
 *    JSON, an untagged line, or only ignored tags) claims no series: it neither binds nor
 *    conflicts, and joins the metric's series as before. A binding lapses after `idleMs`
 *    without a reading from its tag set (a renamed host recovers by itself), when the device's
 *    rule changes, and at restart.
 *
 * Every refusal is a Rejection: counted in /metrics and explained on the device's rejects topic.
 *
 * @example
 * // device rule {metric: [], ignore: []}, one message:
 * //   temp,sensor=a value=1 T   -> temp, bound to {sensor=a}
 * //   temp,sensor=b value=2 T   -> refused: tag_conflict (it would overwrite sensor a's value at T)
 * // with {metric: [sensor]}: temp_a = 1 and temp_b = 2, two metrics
 */
export class SeriesTags {
  /** Per device: channel -> metric -> binding. */
  private readonly bindings = new Map<string, Map<string, Map<string, Binding>>>();
  /** Per rule object (a model reload makes new ones): raw tag text -> its mapping. */
  private readonly mapped = new WeakMap<object, Map<string, MappedTags>>();

  constructor(
    /** A binding lapses after this long without a reading from its tag set, ms. */
    readonly idleMs: number = TAG_BINDING_IDLE_MS,
    /** Most metrics bound per device and channel (the status channel takes any metric id). */
    readonly maxBindings: number = MAX_BINDINGS_PER_CHANNEL,
  ) {}

  /**
   * Step 1 (before the indicator check): renames metrics by the device's `tags.metric` and turns
   * `cols.tagSets` from raw tag text into identities (the tags that tell series apart, sorted).
   * Refused readings are removed in place, one rejection each.
   */
  map(cols: ReadingColumns, device: DeviceDef, rejections: Rejection[]): void {
    if (!cols.tagSet || !cols.tagSets) return;
    const tagSet = cols.tagSet;
    const rule = device.tags ?? NO_RULE;
    let cache = this.mapped.get(rule);
    if (!cache) this.mapped.set(rule, (cache = new Map()));
    const sets = cols.tagSets.map((raw) => {
      let m = cache.get(raw);
      if (m === undefined) {
        m = mapTags(raw, rule);
        if (cache.size >= MAX_CACHED_TAG_SETS) cache.clear();
        cache.set(raw, m);
      }
      return m;
    });
    const identities: string[] = [];
    const identityIds = new Map<string, number>();
    const setIdentity = sets.map((m) => {
      let id = identityIds.get(m.identity);
      if (id === undefined) {
        id = identities.length;
        identityIds.set(m.identity, id);
        identities.push(m.identity);
      }
      return id;
    });
    const names: string[] = [];
    const nameIds = new Map<string, number>();
    /** (old metric, tag set) -> new metric id, or -1 - index into refusals. */
    const pairs = new Map<number, number>();
    const refusals: Rejection[] = [];
    let kept = 0;
    for (let i = 0; i < cols.length; i++) {
      const m = cols.metric[i]!;
      const t = tagSet[i]!;
      const key = m * 0x10000 + t;
      let to = pairs.get(key);
      if (to === undefined) {
        to = this.rename(cols.metricNames[m]!, sets[t]!, names, nameIds, refusals);
        pairs.set(key, to);
      }
      if (to < 0) {
        rejections.push(refusals[-to - 1]!);
        continue;
      }
      cols.metric[kept] = to;
      tagSet[kept] = setIdentity[t]!;
      cols.ts[kept] = cols.ts[i]!;
      cols.values[kept] = cols.values[i]!;
      kept++;
    }
    cols.length = kept;
    cols.metricNames = names;
    cols.tagSets = identities;
  }

  /** The new metric id of `base` read with `tags`, or -(1 + index) of the refusal pushed. */
  private rename(
    base: string,
    tags: MappedTags,
    names: string[],
    ids: Map<string, number>,
    refusals: Rejection[],
  ): number {
    if (tags.missing !== null) {
      refusals.push({
        code: 'missing_tag',
        message:
          `${base} {${tags.raw.slice(0, 120)}} has no tag "${tags.missing}", ` +
          "which this device's tags.metric names",
      });
      return -refusals.length;
    }
    const name = tags.suffix === '' ? base : `${base}_${tags.suffix}`;
    if (!METRIC_PATTERN.test(name)) {
      refusals.push({
        code: 'bad_metric',
        message:
          `metric ${JSON.stringify(name).slice(0, 80)} (tag values appended by tags.metric) ` +
          `must match ${METRIC_PATTERN}`,
      });
      return -refusals.length;
    }
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      ids.set(name, id);
      names.push(name);
    }
    return id;
  }

  /**
   * Step 2 (after the indicator check, so only real metrics are bound): keeps the readings whose
   * (metric, identity) is the series the metric is bound to, binding unbound metrics; refuses the
   * others as `tag_conflict`, in place.
   */
  bind(
    cols: ReadingColumns,
    deviceId: string,
    rule: DeviceTagRule | undefined,
    channel: string,
    now: number,
    rejections: Rejection[],
  ): void {
    if (cols.length === 0 || !cols.tagSet || !cols.tagSets) return; // untagged readings claim no series
    const tagSet = cols.tagSet;
    const identities = cols.tagSets;
    let device = this.bindings.get(deviceId);
    if (!device) this.bindings.set(deviceId, (device = new Map()));
    let bound = device.get(channel);
    if (!bound) device.set(channel, (bound = new Map()));
    const ruleRef = rule ?? NO_RULE;
    const nIds = identities.length;
    // Decided once per distinct (metric, identity): 0 undecided, 1 keep, 2 refuse.
    const verdict = new Uint8Array(cols.metricNames.length * nIds);
    let refused = 0;
    for (let i = 0; i < cols.length; i++) {
      const t = tagSet[i]!;
      const v = cols.metric[i]! * nIds + t;
      if (verdict[v] === 0) {
        const identity = identities[t]!;
        verdict[v] =
          identity === '' || this.admit(bound, cols.metricNames[cols.metric[i]!]!, identity, ruleRef, now) ? 1 : 2;
      }
      if (verdict[v] === 2) refused++;
    }
    if (refused === 0) return;
    let kept = 0;
    for (let i = 0; i < cols.length; i++) {
      const m = cols.metric[i]!;
      const t = tagSet[i]!;
      if (verdict[m * nIds + t] === 2) {
        const metric = cols.metricNames[m]!;
        const held = bound.get(metric)!.identity;
        rejections.push({
          code: 'tag_conflict',
          message:
            `metric ${metric} of this device comes from tags {${held.slice(0, 120)}}; ` +
            `tags {${identities[t]!.slice(0, 120)}} ` +
            'are another series (one series per device and metric): add the tag to tags.metric for a metric per ' +
            'value, to tags.ignore if it does not tell series apart, or drop it at the source (Telegraf: tagexclude)',
        });
        continue;
      }
      cols.metric[kept] = m;
      tagSet[kept] = t;
      cols.ts[kept] = cols.ts[i]!;
      cols.values[kept] = cols.values[i]!;
      kept++;
    }
    cols.length = kept;
  }

  private admit(bound: Map<string, Binding>, metric: string, identity: string, rule: object, now: number): boolean {
    const b = bound.get(metric);
    if (b !== undefined) {
      if (b.identity !== identity && now - b.seen <= this.idleMs && b.rule === rule) return false;
      // The same series, or a binding that lapsed (idle, or the device's rule changed): (re)bind.
      b.identity = identity;
      b.seen = now;
      b.rule = rule;
      return true;
    }
    if (bound.size >= this.maxBindings) {
      // Bounded: the least recently bound metric forgets its tag set (it rebinds on its next reading).
      bound.delete(bound.keys().next().value!);
    }
    bound.set(metric, { identity, seen: now, rule });
    return true;
  }
}

/** A binding lapses after 10 minutes without a reading from its tag set. */
export const TAG_BINDING_IDLE_MS = 10 * 60_000;
/** Metrics bound per device and channel at most. */
export const MAX_BINDINGS_PER_CHANNEL = 4096;
/** Distinct raw tag sets whose mapping is cached per rule. */
const MAX_CACHED_TAG_SETS = 65_536;

const NO_RULE: DeviceTagRule = Object.freeze({ metric: [], ignore: [] }) as unknown as DeviceTagRule;

interface Binding {
  identity: string;
  /** Server time of the last reading accepted from it, ms. */
  seen: number;
  /** The device rule the identity was computed with. */
  rule: object;
}

export interface MappedTags {
  raw: string;
  /** The tags that tell series apart, `k=v` sorted by key, escaped; '' for none. */
  identity: string;
  /** The `tags.metric` values joined by `_` ('' when the rule names none or the reading is untagged). */
  suffix: string;
  /** The first `tags.metric` tag the tagged reading lacks, or null. */
  missing: string | null;
}

/**
 * Maps one raw tag set (line-protocol escapes) by a rule.
 * @example mapTags('host=h1,sensor=oven1', {metric: ['sensor'], ignore: []}) // identity 'host=h1', suffix 'oven1'
 */
export function mapTags(raw: string, rule: DeviceTagRule): MappedTags {
  if (raw === '') return { raw, identity: '', suffix: '', missing: null };
  const pairs = parseTagSet(raw);
  const values = new Map(pairs);
  const suffix: string[] = [];
  let missing: string | null = null;
  for (const k of rule.metric) {
    const v = values.get(k);
    if (v === undefined) missing ??= k;
    else suffix.push(v);
  }
  const identity = pairs
    .filter(([k]) => !rule.metric.includes(k) && !rule.ignore.includes(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${escapeTag(k)}=${escapeTag(v)}`)
    .join(',');
  return { raw, identity, suffix: suffix.join('_'), missing };
}

/**
 * `k=v,k2=v2` with backslash escapes into unescaped pairs (a pair without `=` is a key with value '').
 * @example parseTagSet('loc=taller\\ uno,k\\=x=v') // [['loc', 'taller uno'], ['k=x', 'v']]
 */
export function parseTagSet(raw: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let key = '';
  let cur = '';
  let inValue = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) cur += raw[++i];
    else if (c === '=' && !inValue) {
      key = cur;
      cur = '';
      inValue = true;
    } else if (c === ',') {
      out.push(inValue ? [key, cur] : [cur, '']);
      key = cur = '';
      inValue = false;
    } else cur += c;
  }
  out.push(inValue ? [key, cur] : [cur, '']);
  return out;
}

const escapeTag = (s: string) => s.replace(/[\\,= ]/g, (c) => '\\' + c);
