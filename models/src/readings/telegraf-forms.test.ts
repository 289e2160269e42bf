import { describe, expect, it } from '@jest/globals';
import { fromColumns, toColumns } from './columns.js';
import { decodeColumnsCounts, decodeReadingColumns } from './decode-columns.js';
import { decodeReadings } from './decode.js';
import { DEFAULT_DECODE_LIMITS } from './reading.js';

// Payloads byte for byte as Telegraf's serializers write them (recorded forms, not a running
// Telegraf: it cannot be installed here). influx: one line per metric, tags sorted by key,
// ints with `i`, strings quoted, booleans bare, ns timestamps, each line ending in "\n". json:
// Go's encoding/json of {fields, name, tags, timestamp} (keys sorted), timestamp in
// json_timestamp_units (1s by default), "\n" after; a batch is {"metrics":[...]}.

/** 2025-11-27T12:00:00Z */
const NOW = 1_764_244_800_000;
const S = NOW / 1000;
const bytes = (s: string) => new TextEncoder().encode(s);
const TAGS = { tags: true } as const;

const INFLUX_ONE = `cpu,cpu=cpu0,host=gw-1 usage_idle=98.5,usage_user=1.25 ${S}000000000\n`;
const INFLUX_BATCH =
  `cpu,cpu=cpu0,host=gw-1 usage_idle=98.5,usage_user=1.25 ${S}000000000\n` +
  `cpu,cpu=cpu1,host=gw-1 usage_idle=97,usage_user=2.5 ${S}000000000\n` +
  `mem,host=gw-1 used=1234567i,available_percent=61.2 ${S}000000000\n` +
  `system,host=gw-1 uptime=3600i,uptime_format="1:00" ${S}000000000\n` +
  `modbus,host=gw-1,name=press running=true,pressure=4.25 ${S}000000000\n`;
const JSON_ONE =
  `{"fields":{"usage_idle":98.5,"usage_user":1.25},"name":"cpu",` +
  `"tags":{"cpu":"cpu0","host":"gw-1"},"timestamp":${S}}\n`;
const JSON_BATCH =
  `{"metrics":[{"fields":{"usage_idle":98.5},"name":"cpu","tags":{"cpu":"cpu0","host":"gw-1"},"timestamp":${S}},` +
  `{"fields":{"usage_idle":97},"name":"cpu","tags":{"cpu":"cpu1","host":"gw-1"},"timestamp":${S}},` +
  `{"fields":{"running":true,"state":"ok","value":3},"name":"press","tags":{},"timestamp":${S}}]}\n`;

describe('Telegraf influx serializer (data_format = "influx")', () => {
  it('decodes one metric per message (layout non-batch) with its tag set as written', () => {
    const d = decodeReadings(bytes(INFLUX_ONE), NOW, DEFAULT_DECODE_LIMITS, TAGS);
    expect(d.rejections).toEqual([]);
    expect(d.readings).toEqual([
      { metric: 'cpu_usage_idle', value: 98.5, ts: NOW, tags: 'cpu=cpu0,host=gw-1' },
      { metric: 'cpu_usage_user', value: 1.25, ts: NOW, tags: 'cpu=cpu0,host=gw-1' },
    ]);
  });

  it('decodes a batch (layout batch), refusing string and boolean fields one by one and keeping the rest', () => {
    const d = decodeReadings(bytes(INFLUX_BATCH), NOW, DEFAULT_DECODE_LIMITS, TAGS);
    expect(d.readings.map((r) => [r.metric, r.value, r.tags])).toEqual([
      ['cpu_usage_idle', 98.5, 'cpu=cpu0,host=gw-1'],
      ['cpu_usage_user', 1.25, 'cpu=cpu0,host=gw-1'],
      ['cpu_usage_idle', 97, 'cpu=cpu1,host=gw-1'],
      ['cpu_usage_user', 2.5, 'cpu=cpu1,host=gw-1'],
      ['mem_used', 1234567, 'host=gw-1'],
      ['mem_available_percent', 61.2, 'host=gw-1'],
      ['system_uptime', 3600, 'host=gw-1'],
      ['modbus_pressure', 4.25, 'host=gw-1,name=press'],
    ]);
    expect(d.rejections.map((r) => [r.code, r.index])).toEqual([
      ['bad_value', 3],
      ['bad_value', 4],
    ]);
  });

  it("reports no tags unless asked (the decoders' default is unchanged)", () => {
    expect(decodeReadings(bytes(INFLUX_ONE), NOW).readings[0]).toEqual({
      metric: 'cpu_usage_idle',
      value: 98.5,
      ts: NOW,
    });
  });

  it('gives the same readings and tag sets on the fast column path as the reference decoder', () => {
    for (const p of [
      INFLUX_ONE,
      INFLUX_ONE + INFLUX_ONE.replace('cpu0', 'cpu1'),
      'output value=1\n',
      'm,t=año value=2\nm value=3\n',
    ]) {
      const cols = decodeReadingColumns(bytes(p), NOW, DEFAULT_DECODE_LIMITS, TAGS);
      const ref = decodeReadings(bytes(p), NOW, DEFAULT_DECODE_LIMITS, TAGS);
      expect(fromColumns(cols.columns)).toEqual(ref.readings);
      expect(cols.rejections).toEqual(ref.rejections);
    }
    const two = decodeReadingColumns(
      bytes(INFLUX_ONE + INFLUX_ONE.replace('cpu0', 'cpu1')),
      NOW,
      DEFAULT_DECODE_LIMITS,
      TAGS,
    ).columns;
    expect(two.tagSets).toEqual(['cpu=cpu0,host=gw-1', 'cpu=cpu1,host=gw-1']);
    expect([...two.tagSet!]).toEqual([0, 0, 1, 1]);
    expect(
      decodeReadingColumns(bytes('output value=1\n'), NOW, DEFAULT_DECODE_LIMITS, TAGS).columns.tagSet,
    ).toBeUndefined();
  });
});

describe('Telegraf JSON serializer (data_format = "json")', () => {
  it('decodes one metric with timestamp in seconds (json_timestamp_units = "1s", the default)', () => {
    const d = decodeReadings(bytes(JSON_ONE), NOW, DEFAULT_DECODE_LIMITS, TAGS);
    expect(d.rejections).toEqual([]);
    expect(d.readings).toEqual([
      { metric: 'cpu_usage_idle', value: 98.5, ts: NOW, tags: 'cpu=cpu0,host=gw-1' },
      { metric: 'cpu_usage_user', value: 1.25, ts: NOW, tags: 'cpu=cpu0,host=gw-1' },
    ]);
  });

  it.each([
    ['1ms', NOW + 7, NOW + 7],
    ['1us', (NOW + 7) * 1000 + 999, NOW + 7],
    ['1ns', 1_764_244_800_007_000_000, NOW + 7],
    ['json_timestamp_format RFC 3339', '"2025-11-27T12:00:00.007Z"', NOW + 7],
  ])('reads json_timestamp_units %s', (_units, ts, expected) => {
    const d = decodeReadings(
      bytes(`{"fields":{"value":1},"name":"output","tags":{},"timestamp":${ts}}\n`),
      NOW + 60_000,
      DEFAULT_DECODE_LIMITS,
      TAGS,
    );
    expect(d.rejections).toEqual([]);
    expect(d.readings).toEqual([{ metric: 'output', value: 1, ts: expected }]);
  });

  it('decodes a batch, field value as the bare name, and refuses booleans and strings with their metric index', () => {
    const d = decodeReadings(bytes(JSON_BATCH), NOW, DEFAULT_DECODE_LIMITS, TAGS);
    expect(d.readings).toEqual([
      { metric: 'cpu_usage_idle', value: 98.5, ts: NOW, tags: 'cpu=cpu0,host=gw-1' },
      { metric: 'cpu_usage_idle', value: 97, ts: NOW, tags: 'cpu=cpu1,host=gw-1' },
      { metric: 'press', value: 3, ts: NOW },
    ]);
    expect(d.rejections.map((r) => [r.code, r.index, r.message])).toEqual([
      ['bad_value', 2, 'field running is a boolean, not a numeric reading'],
      ['bad_value', 2, 'field state is a string, not a numeric reading'],
    ]);
  });

  it('escapes tag keys and values so a tag set reads back the same whatever it holds', () => {
    const d = decodeReadings(
      bytes('{"fields":{"v":1},"name":"m","tags":{"z":"a,b=c d","a":"x"},"timestamp":' + S + '}'),
      NOW,
      DEFAULT_DECODE_LIMITS,
      TAGS,
    );
    expect(d.readings[0]!.tags).toBe('a=x,z=a\\,b\\=c\\ d');
  });

  it('refuses a timestamp in another unit (10 ms reads as out of range) and a metric without fields', () => {
    const tenMs = decodeReadings(bytes(`{"fields":{"v":1},"name":"m","tags":{},"timestamp":${NOW / 10}}`), NOW);
    expect(tenMs.rejections.map((r) => r.code)).toEqual(['timestamp_out_of_range']);
    expect(decodeReadings(bytes('{"fields":{},"name":"m","tags":{},"timestamp":1}'), NOW).rejections[0]!.code).toBe(
      'bad_shape',
    );
  });

  it('decodes on the column path exactly as the reference decoder', () => {
    for (const p of [JSON_ONE, JSON_BATCH]) {
      const cols = decodeReadingColumns(bytes(p), NOW, DEFAULT_DECODE_LIMITS, TAGS);
      const ref = decodeReadings(bytes(p), NOW, DEFAULT_DECODE_LIMITS, TAGS);
      expect(fromColumns(cols.columns)).toEqual(ref.readings);
      expect(cols.columns).toEqual(toColumns(ref.readings));
      expect(cols.rejections).toEqual(ref.rejections);
    }
  });
});

describe('tag syntax (line protocol)', () => {
  it.each([
    'output,=x value=1',
    'output,k value=1',
    'output,k= value=1',
    'output, value=1',
    'output,a=1, value=1',
    'output,a=1,,b=2 value=1',
  ])('refuses %s as malformed_line_protocol on both paths (an empty key or value cannot name a series)', (line) => {
    const ref = decodeReadings(bytes(line), NOW, DEFAULT_DECODE_LIMITS, TAGS);
    expect(ref.readings).toEqual([]);
    expect(ref.rejections.map((r) => r.code)).toEqual(['malformed_line_protocol']);
    const cols = decodeReadingColumns(bytes(line), NOW, DEFAULT_DECODE_LIMITS, TAGS);
    expect([cols.columns.length, cols.rejections]).toEqual([0, ref.rejections]);
  });

  it('accepts = inside a tag value and escaped separators in keys and values', () => {
    const d = decodeReadings(bytes('output,k=a=b,x\\=y=v\\,w value=1'), NOW, DEFAULT_DECODE_LIMITS, TAGS);
    expect(d.rejections).toEqual([]);
    expect(d.readings[0]!.tags).toBe('k=a=b,x\\=y=v\\,w');
  });
});

describe('the fast column path keeps tag sets', () => {
  it('decodes tagged lines in tags mode without falling back to the reference decoder', () => {
    const before = decodeColumnsCounts();
    decodeReadingColumns(bytes(INFLUX_ONE + INFLUX_ONE.replace('cpu0', 'cpu1')), NOW, DEFAULT_DECODE_LIMITS, TAGS);
    const after = decodeColumnsCounts();
    expect([after.fast - before.fast, after.fallback - before.fallback]).toEqual([1, 0]);
  });
});
