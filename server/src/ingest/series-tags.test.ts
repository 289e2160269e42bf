import { describe, expect, it } from '@jest/globals';
import { batchReadings, DEFAULT_DECODE_LIMITS, type DeviceTagRule, type Model } from '@opsroom/models';
import { tinyModel } from '../../test/support/tiny-model.js';
import { mapTags, parseTagSet, SeriesTags } from './series-tags.js';
import { validateMessage } from './validate-message.js';

const NOW = 1_764_244_800_000;
const NS = `${NOW}000000`;
const enc = (s: string) => new TextEncoder().encode(s);
const TOPIC = 'opsroom/v1/devices/a1-dev/readings';

/** The tiny model with indicators for these tests and, optionally, a tag rule on device a1-dev. */
function modelWith(rule?: DeviceTagRule): Model {
  const ids = ['temp', 'temp_oven1', 'temp_oven2', 'cpu_usage_idle', 'output'];
  const m = tinyModel(ids.map((id) => ({ id, name: id, unit: 'u', rollup: 'mean' as const })));
  const dev = m.devices.get('a1-dev')!;
  if (rule) m.devices.set('a1-dev', { ...dev, tags: rule });
  return m;
}

function run(series: SeriesTags, model: Model, body: string, now = NOW) {
  const v = validateMessage(TOPIC, enc(body), model, now, DEFAULT_DECODE_LIMITS, series);
  return {
    readings: v.batch ? batchReadings(v.batch).map((r) => [r.metric, r.value]) : [],
    codes: v.rejections.map((r) => r.code),
    v,
  };
}

describe("tags are part of a series' identity (no rule)", () => {
  it('refuses, counted and explained, the second of two sensors that differ only by tag at one timestamp', () => {
    const r = run(
      new SeriesTags(),
      modelWith(),
      `temp,sensor=oven1 value=180 ${NS}\ntemp,sensor=oven2 value=175 ${NS}\n`,
    );
    expect(r.readings).toEqual([['temp', 180]]);
    expect(r.codes).toEqual(['tag_conflict']);
    const msg = r.v.rejections[0]!.message;
    expect(msg).toContain('temp');
    expect(msg).toContain('{sensor=oven1}');
    expect(msg).toContain('{sensor=oven2}');
    expect(msg).toContain('tags.metric');
  });

  it('keeps the binding across messages (Telegraf layout non-batch sends one metric per message)', () => {
    const s = new SeriesTags();
    const m = modelWith();
    expect(run(s, m, `temp,sensor=oven1 value=180 ${NS}\n`).readings).toEqual([['temp', 180]]);
    expect(run(s, m, `temp,sensor=oven2 value=175 ${NS}\n`).codes).toEqual(['tag_conflict']);
    expect(run(s, m, `temp,sensor=oven1 value=181 ${NS}\n`).readings).toEqual([['temp', 181]]);
    // a reading without tags claims no series: it joins the metric's, as before tags were read
    expect(run(s, m, JSON.stringify({ metric: 'temp', value: 1, ts: NOW })).readings).toEqual([['temp', 1]]);
    expect(run(s, m, `temp value=2 ${NS}\n`).readings).toEqual([['temp', 2]]);
    expect(run(s, m, `temp,sensor=oven2 value=175 ${NS}\n`).codes).toEqual(['tag_conflict']);
  });

  it('reads the same tag set written in another order as the same series', () => {
    const s = new SeriesTags();
    const m = modelWith();
    run(s, m, `temp,a=1,b=2 value=1 ${NS}\n`);
    expect(run(s, m, `temp,b=2,a=1 value=2 ${NS}\n`).codes).toEqual([]);
  });

  it('lets another tag set take a metric over once its binding has been idle past idleMs', () => {
    const s = new SeriesTags(60_000);
    const m = modelWith();
    run(s, m, `temp,host=old value=1 ${NS}\n`, NOW);
    expect(run(s, m, `temp,host=new value=2 ${NS}\n`, NOW + 60_000).codes).toEqual(['tag_conflict']);
    expect(run(s, m, `temp,host=new value=2 ${NS}\n`, NOW + 60_001).readings).toEqual([['temp', 2]]);
    expect(run(s, m, `temp,host=old value=3 ${NS}\n`, NOW + 60_002).codes).toEqual(['tag_conflict']);
  });

  it('binds per device: the same metric and tags from two devices are two series', () => {
    const s = new SeriesTags();
    const m = modelWith();
    run(s, m, `temp,sensor=x value=1 ${NS}\n`);
    const other = validateMessage(
      'opsroom/v1/devices/a2-dev/readings',
      enc(`temp,sensor=y value=2 ${NS}\n`),
      m,
      NOW,
      DEFAULT_DECODE_LIMITS,
      s,
    );
    expect(other.rejections).toEqual([]);
  });

  it('binds only metrics that passed the indicator check, so junk names cannot take bindings', () => {
    const s = new SeriesTags(60_000, 2);
    const m = modelWith();
    run(s, m, `temp,t=a value=1 ${NS}\n`);
    const junk = Array.from({ length: 50 }, (_, i) => `junk${i},t=a value=1 ${NS}`).join('\n');
    expect(run(s, m, junk).codes.every((c) => c === 'unknown_metric')).toBe(true);
    // had the 50 junk names been bound, the cap of 2 would have evicted temp's binding
    expect(run(s, m, `temp,t=b value=1 ${NS}\n`).codes).toEqual(['tag_conflict']);
  });
});

describe("a device's tags rule (model devices[].tags)", () => {
  it('appends the values of tags.metric to the metric name: two sensors become two metrics', () => {
    const r = run(
      new SeriesTags(),
      modelWith({ metric: ['sensor'], ignore: [] }),
      `temp,sensor=oven1 value=180 ${NS}\ntemp,sensor=oven2 value=175 ${NS}\n`,
    );
    expect(r.codes).toEqual([]);
    expect(r.readings).toEqual([
      ['temp_oven1', 180],
      ['temp_oven2', 175],
    ]);
  });

  it('refuses a tagged reading that lacks a tags.metric tag (missing_tag), and keeps untagged ones as they are', () => {
    const r = run(
      new SeriesTags(),
      modelWith({ metric: ['sensor'], ignore: [] }),
      `temp,host=h value=1 ${NS}\noutput value=2 ${NS}\n`,
    );
    expect(r.codes).toEqual(['missing_tag']);
    expect(r.v.rejections[0]!.message).toContain('"sensor"');
    expect(r.readings).toEqual([['output', 2]]);
  });

  it('refuses a tag value unfit for a metric name (bad_metric) and a name not in the model (unknown_metric)', () => {
    const r = run(
      new SeriesTags(),
      modelWith({ metric: ['sensor'], ignore: [] }),
      `temp,sensor=oven\\ 3 value=1 ${NS}\ntemp,sensor=oven9 value=1 ${NS}`,
    );
    expect(r.codes).toEqual(['bad_metric', 'unknown_metric']);
  });

  it('leaves tags.ignore out of the identity: their value may change without making a new series', () => {
    const s = new SeriesTags();
    const m = modelWith({ metric: [], ignore: ['firmware'] });
    run(s, m, `temp,firmware=1.0 value=1 ${NS}\n`);
    expect(run(s, m, `temp,firmware=1.1 value=2 ${NS}\n`).readings).toEqual([['temp', 2]]);
    expect(run(s, m, JSON.stringify({ metric: 'temp', value: 3, ts: NOW })).readings).toEqual([['temp', 3]]);
  });

  it("rebinds at once when the device's rule changes (a model reload)", () => {
    const s = new SeriesTags();
    run(s, modelWith(), `temp,host=a value=1 ${NS}\n`);
    expect(run(s, modelWith({ metric: [], ignore: ['host'] }), `temp,host=b value=2 ${NS}\n`).readings).toEqual([
      ['temp', 2],
    ]);
  });

  it('maps Telegraf JSON tags by the same rule', () => {
    const body = JSON.stringify({
      metrics: [0, 1].map((i) => ({
        fields: { value: i },
        name: 'temp',
        tags: { sensor: `oven${i + 1}` },
        timestamp: NOW / 1000,
      })),
    });
    expect(run(new SeriesTags(), modelWith({ metric: ['sensor'], ignore: [] }), body).readings).toEqual([
      ['temp_oven1', 0],
      ['temp_oven2', 1],
    ]);
    expect(run(new SeriesTags(), modelWith(), body).codes).toEqual(['tag_conflict']);
  });
});

describe('mapTags and parseTagSet', () => {
  it('unescape keys and values and sort the identity by key', () => {
    expect(parseTagSet('loc=taller\\ uno\\,norte,k\\=x=v')).toEqual([
      ['loc', 'taller uno,norte'],
      ['k=x', 'v'],
    ]);
    expect(mapTags('z=1,sensor=oven1,a=2,host=h', { metric: ['sensor'], ignore: ['host'] })).toEqual({
      raw: 'z=1,sensor=oven1,a=2,host=h',
      identity: 'a=2,z=1',
      suffix: 'oven1',
      missing: null,
    });
  });
});
