import { describe, it, expect } from '@jest/globals';
import { fromColumns } from './columns.js';
import { decodeReadings } from './decode.js';
import { decodeColumnsCounts, decodeReadingColumns } from './decode-columns.js';
import { benchPayloads } from './decode-columns.bench.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './reading.js';
import { mulberry32 } from '../random.js';

/** 2025-11-27T12:00:00.000Z */
const NOW = 1_764_244_800_000;
const NOW_NS = '1764244800000000000';
const WEEK_MS = 604_800_000;

const bytes = (s: string) => new TextEncoder().encode(s);
const limitsWith = (over: Partial<DecodeLimits>): DecodeLimits => ({ ...DEFAULT_DECODE_LIMITS, ...over });

/** Decodes with both decoders and asserts the results are the same; returns which path ran. */
function expectEquivalent(
  payload: Uint8Array | string,
  now = NOW,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): 'fast' | 'fallback' {
  const before = decodeColumnsCounts();
  const got = decodeReadingColumns(payload, now, limits);
  const after = decodeColumnsCounts();
  const want = decodeReadings(payload, now, limits);
  const label =
    typeof payload === 'string'
      ? JSON.stringify(payload)
      : `bytes ${JSON.stringify(new TextDecoder().decode(payload))}`;
  // toEqual compares numbers with Object.is: -0 and 0 differ, as they must.
  expect({ label, readings: fromColumns(got.columns), rejections: got.rejections }).toEqual({
    label,
    readings: want.readings,
    rejections: want.rejections,
  });
  expect(got.columns.metric.length).toBeGreaterThanOrEqual(got.columns.length);
  return after.fast > before.fast ? 'fast' : 'fallback';
}

/** Asserts equivalence for the text and its UTF-8 bytes; returns the paths taken. */
function bothForms(
  payload: string,
  now = NOW,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): ['fast' | 'fallback', 'fast' | 'fallback'] {
  return [expectEquivalent(payload, now, limits), expectEquivalent(bytes(payload), now, limits)];
}

describe('decodeReadingColumns: the worked example of ReadingColumns', () => {
  it('decodes the three-reading batch into the documented columns on the fast path', () => {
    const payload =
      '[{"metric":"output","value":3,"ts":1000},{"metric":"energy","value":1.5,"ts":1000},{"metric":"output","value":4,"ts":2000}]';
    const before = decodeColumnsCounts().fast;
    const { columns, rejections } = decodeReadingColumns(bytes(payload), 2000, limitsWith({ maxPastMs: 10_000 }));
    expect(decodeColumnsCounts().fast).toBe(before + 1);
    expect(rejections).toEqual([]);
    expect(columns.length).toBe(3);
    expect(columns.metricNames).toEqual(['output', 'energy']);
    expect([...columns.metric]).toEqual([0, 1, 0]);
    expect([...columns.ts]).toEqual([1000, 1000, 2000]);
    expect([...columns.values]).toEqual([3, 1.5, 4]);
  });
});

describe('decodeReadingColumns: the fast path', () => {
  it('takes the fast path for the pipeline bench payloads and interns the one metric name once', () => {
    const { json, line } = benchPayloads(2, NOW - 3600_000);
    for (const p of [...json, ...line]) {
      expect(expectEquivalent(p)).toBe('fast');
      const { columns } = decodeReadingColumns(p, NOW);
      expect(columns.length).toBe(100);
      expect(columns.metricNames).toEqual(['output']);
    }
  });

  it.each([
    ['a single reading', '{"metric":"output","value":12.5,"ts":1764244800000}'],
    ['a single reading without ts', '{"metric":"output","value":3}'],
    ['a single reading with ts null, keys reordered', '{"ts":null,"value":3,"metric":"output"}'],
    ['a values map', '{"ts":1764244700000,"values":{"output":12.5,"energy":3.1}}'],
    ['a values map before its ts', '{"values":{"output":12.5,"energy":3.1},"ts":1764244700000}'],
    ['a values map without ts', '{"values":{"water_m3":0}}'],
    ['an empty batch and an empty values map', '[]'],
    ['an empty values map', '{"values":{}}'],
    [
      'a batch with whitespace, reordered keys and missing ts',
      ' [ {"value" : -4.5e-3 ,\n"metric":"b"}\t, {"ts":1764244800000,"metric":"a","value":0} ]\r\n',
    ],
    [
      'exponents, negative zero and 16-digit mantissas',
      '[{"metric":"a","value":-0},{"metric":"a","value":2.5E3},{"metric":"a","value":9007199254740991},{"metric":"a","value":0.1}]',
    ],
    [
      '17 significant digits (read with Number)',
      '[{"metric":"a","value":0.30000000000000004},{"metric":"a","value":123456789012345678901234567890}]',
    ],
    [
      'line protocol with tags, several fields and comments',
      `# telegraf\n\nenergy,line=a kwh=3.1,peak=4.0 ${NOW_NS}\r\n  temp value=21.5,max=30i  \n`,
    ],
    ['line protocol number forms', 'm a=+1.5,b=.5,c=1.,d=12u,e=-12i,f=1e3,g=007,h=-0'],
    ['line protocol with a non-ASCII tag value', 'output,taller=año value=3'],
    [
      'line protocol without trailing newline and with timestamps on the window edges',
      'a value=1 1763640000000000000\nb value=2 1764245100000000000',
    ],
    ['an empty payload', ''],
    ['comments only', '# nothing\n\n   \n'],
  ])('takes the fast path for %s', (_label, payload) => {
    expect(bothForms(payload)).toEqual(['fast', 'fast']);
  });

  it('makes one string per distinct metric name and keeps their order of first appearance', () => {
    const payload = JSON.stringify(
      Array.from({ length: 300 }, (_, i) => ({ metric: `m${i % 150}`, value: i, ts: NOW - i })),
    );
    expect(expectEquivalent(bytes(payload))).toBe('fast');
    const { columns } = decodeReadingColumns(bytes(payload), NOW);
    expect(columns.metricNames).toEqual(Array.from({ length: 150 }, (_, i) => `m${i}`));
    expect(columns.metric[151]).toBe(1);
  });

  it('reads numbers bit-for-bit like JSON.parse, including ones that need Number()', () => {
    const rnd = mulberry32(7);
    const texts: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const r = rnd();
      if (r < 0.3) texts.push(JSON.stringify((rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20)));
      else if (r < 0.6)
        texts.push(
          `${Math.floor(rnd() * 1e9)}.${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}e${Math.floor(rnd() * 60 - 30)}`,
        );
      else if (r < 0.7) texts.push(String(Math.floor(rnd() * 2 ** 53) + Math.floor(rnd() * 3)));
      else if (r < 0.8)
        texts.push(
          `${2 ** 53 + Math.floor(rnd() * 64) - 32}${rnd() < 0.5 ? `e-${1 + Math.floor(rnd() * 25)}` : `e${Math.floor(rnd() * 25)}`}`,
        );
      else
        texts.push(
          `${rnd() < 0.5 ? '-' : ''}${String(Math.floor(rnd() * 1e17))}${rnd() < 0.5 ? `.${Math.floor(rnd() * 1e6)}` : ''}`,
        );
    }
    const payload = `[${texts.map((t) => `{"metric":"v","value":${t}}`).join(',')}]`;
    expect(expectEquivalent(payload, NOW, limitsWith({ maxPayloadBytes: 1 << 20 }))).toBe('fast');
    const { columns } = decodeReadingColumns(payload, NOW, limitsWith({ maxPayloadBytes: 1 << 20 }));
    texts.forEach((t, i) => expect(Object.is(columns.values[i], JSON.parse(t))).toBe(true));
  });

  it('does not read past the message in its reused buffer after a longer string payload', () => {
    expectEquivalent(`# ${'x'.repeat(500)}\noutput value=1\noutput value=2\n`);
    expect(expectEquivalent('# a comment without a newline')).toBe('fast');
    expect(expectEquivalent('[{"metric":"a","value":1}')).toBe('fallback');
  });
});

describe('decodeReadingColumns: everything else falls back and stays identical', () => {
  it.each([
    [
      'an ISO timestamp',
      '[{"metric":"output","value":12.5,"ts":"2025-11-27T11:59:00Z"},{"metric":"energy","value":3.1}]',
    ],
    ['an escape in a string', '{"metric":"outp\\u0075t","value":1}'],
    ['an extra key', '{"metric":"a","value":1,"note":"año"}'],
    ['a duplicate key', '{"metric":"a","metric":"b","value":1}'],
    ['a duplicate values-map key', '{"values":{"a":1,"b":2,"a":3}}'],
    ['a byte-order mark', '\uFEFF{"metric":"a","value":1}'],
    ['a string value', '[{"metric":"v","value":"3"},{"metric":"ok","value":1}]'],
    ['an out-of-range ts', `[{"metric":"a","value":1,"ts":${NOW - WEEK_MS - 1}}]`],
    ['a bad metric', '[{"metric":"ok","value":1},{"metric":"9x","value":1}]'],
    ['malformed JSON', '[{"metric":"a","value":1}'],
    ['a line protocol string field', `m s="a b, c=d",v=2 ${NOW_NS}`],
    ['a malformed line', 'ok value=1\njustmeasurement\nok2 value=2'],
    ['an escaped measurement', 'my\\ m value=1'],
  ])('falls back for %s', (_label, payload) => {
    expect(bothForms(payload)).toEqual(['fallback', 'fallback']);
  });

  it('falls back, with the same refusals, when a limit is reached', () => {
    expect(expectEquivalent('{"metric":"output","value":12.5}', NOW, limitsWith({ maxPayloadBytes: 31 }))).toBe(
      'fallback',
    );
    expect(expectEquivalent('{"metric":"output","value":12.5}', NOW, limitsWith({ maxPayloadBytes: 32 }))).toBe('fast');
    expect(
      expectEquivalent(
        '[{"metric":"a","value":1},{"metric":"b","value":2},{"metric":"c","value":3}]',
        NOW,
        limitsWith({ maxReadingsPerMessage: 2 }),
      ),
    ).toBe('fallback');
    expect(expectEquivalent('{"metric":"a","value":1}', NOW, limitsWith({ maxReadingsPerMessage: 0 }))).toBe('fast');
    expect(expectEquivalent('m a=1,b=2,c=3', NOW, limitsWith({ maxReadingsPerMessage: 2 }))).toBe('fallback');
    expect(expectEquivalent('a value=1\nb value=2\n# end\n\n', NOW, limitsWith({ maxReadingsPerMessage: 2 }))).toBe(
      'fast',
    );
    expect(expectEquivalent(`"${'é'.repeat(10)}"`, NOW, limitsWith({ maxPayloadBytes: 20 }))).toBe('fallback');
  });
});

describe('decodeReadingColumns: equivalence on the reference decoders’ own cases', () => {
  const json = [
    '{"metric":"output","value":12.5,"ts":1764244800000}',
    '{"metric":"output","value":3,"ts":null}',
    '[{"metric":"a","value":1,"ts":"2025-11-27T12:00:00.123Z"},{"metric":"b","value":2,"ts":"2025-11-27T13:00:00+01:00"}]',
    '[{"metric":"a","value":0},{"metric":"b","value":-4.5},{"metric":"c","value":2.5e3}]',
    '{"metric":',
    'not json',
    '{metric: "a", value: 1}',
    '42',
    '"output"',
    'null',
    'true',
    '{}',
    '{"foo":1}',
    '{"values":null}',
    '{"values":[1,2]}',
    '{"values":"a=1"}',
    '[{"metric":"a","value":1},5,null,[1],"x",{"metric":"b","value":2}]',
    '[{"metric":"ok","value":1},{"value":1}]',
    '[{"metric":"ok","value":1},{"metric":7,"value":1}]',
    '[{"metric":"ok","value":1},{"metric":"a-b","value":1}]',
    '[{"metric":"ok","value":1},{"metric":"","value":1}]',
    `[{"metric":"ok","value":1},{"metric":"${'m'.repeat(65)}","value":1}]`,
    `[{"metric":"${'m'.repeat(64)}","value":1}]`,
    '[{"metric":"v"},{"metric":"ok","value":1}]',
    '[{"metric":"v","value":null}]',
    '[{"metric":"v","value":true}]',
    '[{"metric":"v","value":{"n":1}}]',
    '[{"metric":"v","value":1e999},{"metric":"ok","value":1}]',
    '[{"metric":"ok","value":1},{"metric":"a","value":2,"ts":"yesterday"}]',
    '[{"metric":"a","value":2,"ts":true}]',
    '[{"metric":"a","value":2,"ts":{"s":1}}]',
    '[{"metric":"a","value":2,"ts":[1764244800000]}]',
    '[{"metric":"a","value":1,"ts":"2025-11-19T12:00:00Z"}]',
    '[{"metric":"9","value":"x","ts":"bad"},{"metric":"a","value":"x","ts":"bad"}]',
    '[{"metric":"a","value":1},{"metric":"b","value":2,"ts":1e20}]',
    '{"metric":"9x","value":1}',
    '{"metric":"a"}',
    '{"metric":"a","value":1,"ts":"soon"}',
    '{"metric":"a","value":1,"ts":0}',
    `{"ts":${NOW - WEEK_MS - 1},"values":{"a":1,"b":2}}`,
    '{"ts":"garbage","values":{"a":1,"b":2}}',
    '{"ts":"garbage","values":{}}',
    '{"metric":"a","value":1,"values":{"b":2}}',
    '{"values":{"1":2,"a":3}}',
    JSON.stringify([
      { metric: 'past_edge', value: 1, ts: NOW - WEEK_MS },
      { metric: 'too_old', value: 2, ts: NOW - WEEK_MS - 1 },
      { metric: 'future_edge', value: 3, ts: NOW + 300_000 },
      { metric: 'too_new', value: 4, ts: NOW + 300_001 },
    ]),
  ];
  it.each(json)('decodes the JSON %s exactly like decodeReadings', (payload) => {
    bothForms(payload);
  });

  const lines = [
    `output value=12.5 ${NOW_NS}`,
    `energy,line=a kwh=3.1,peak=4.0 ${NOW_NS}`,
    'output value=1',
    'm value=1 1764244800123456789',
    `m s="say \\"hi there\\"",v=1`,
    'm ok=1,flag=t',
    'm ok=1,flag=FALSE',
    'm big=1e400,ok=2',
    `${'a'.repeat(60)} long=1,value=2`,
    '9m value=1',
    'ok value=1\nm a=1,b="x",c=t',
    'justmeasurement',
    'm value=1 123 extra',
    ',tag=x value=1',
    'm =1',
    'm a',
    'm a=1,',
    'm a=',
    'm a=abc',
    'm a=NaN',
    'm a=Infinity',
    'm a=0x10',
    'm a=1.5i',
    'm a=1 12.5',
    'm a=1 now',
    'm a=1 12345678901234567890',
    `m a=1 0${NOW_NS}`,
    `m a=1 -0${NOW_NS}`,
    'm\tvalue=1',
    'ok value=1\nm s="open 5\nok2 value=2',
    '# header\n\na value=1\n# note\nbroken\n\nb value=2\nalso broken',
    'past_edge value=1 1763640000000000000\ntoo_old value=2 1763639999999000000\nfuture_edge value=3 1764245100000000000\ntoo_new value=4 1764245100001000000',
    'm value=1 1764244800',
    'a value=1 123\nb value=1 0\nc value=1 -1000000\nd value=1 -1764244800000000000',
    'm a=1,b=2,c=3 0',
    'm value=1 9999999999999999999',
    'm a=-5u',
    'm a=+5i',
    'm a=1e',
    'a value=1\rb value=2',
    'm,t="a b" value=1',
    `m,t=a\\ x=1 ${NOW_NS}`,
    'm value=1\t123',
    'm value=1 \t123',
    'm value=1 123 \t',
    '\u00a0m value=1',
    'm value=1\u00a0',
  ];
  it.each(lines)('decodes the line protocol %j exactly like decodeReadings', (payload) => {
    bothForms(payload);
  });

  it('decodes the limit cases of both decoders exactly like decodeReadings', () => {
    for (const max of [0, 1, 2, 3, 2.5]) {
      for (const p of [
        'a value=1\nb value=2\nc value=3\nd value=4',
        'broken\nm value=1',
        'm a=1,b=2,c=3',
        '[{"metric":"a","value":1},{"metric":"b","value":2}]',
        '{"values":{"a":1,"b":2,"c":3}}',
      ]) {
        bothForms(p, NOW, limitsWith({ maxReadingsPerMessage: max }));
      }
    }
    for (const size of [12, 13, 14, 15, 17, 18, 31, 32, 33]) {
      for (const p of ['output value=1', 'm,t=ñññ value=1', '{"metric":"output","value":12.5}'])
        bothForms(p, NOW, limitsWith({ maxPayloadBytes: size }));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Property test: thousands of random valid and broken payloads in both formats.

type Rnd = () => number;
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const METRICS = [
  'output',
  'energy',
  'a',
  'x9',
  'T_1',
  'output',
  'output',
  'm'.repeat(64),
  '9x',
  'a-b',
  '',
  'm'.repeat(65),
  'año',
  'a\\u0062',
  'a b',
];
const JSON_VALUES = [
  '0',
  '-0',
  '1',
  '103',
  '12.5',
  '-4.5',
  '2.5e3',
  '1E-7',
  '0.1',
  '9007199254740993',
  '0.30000000000000004',
  '1e400',
  '-1e999',
  '1e-400',
  '"3"',
  'null',
  'true',
  '{"n":1}',
  '[1]',
  '01',
  '1.',
  '.5',
  '+1',
  '-',
  'NaN',
  '1e',
  '123456789012345678901234567890.5',
];
const MEASUREMENTS = ['output', 'energy', 'temp', 'a'.repeat(60), 'a'.repeat(65), '9m', 'm-x', 'año', 'my\\ m', 'm=x'];
const TAGS = ['', '', '', ',line=a', ',taller=año', ',t="a b"', ',,', ',t=a\\ b', ',t=x\ty', ',t=\\ x=1', ',t="x=1 '];
const FIELD_KEYS = ['value', 'value', 'kwh', 'peak', 'v', 'a-b', '', 'Value', 'x'.repeat(10), 'ç'];
const LINE_VALUES = [
  '12.5',
  '-4',
  '1e3',
  '+1.5',
  '.5',
  '1.',
  '12i',
  '-12i',
  '12u',
  '-5u',
  '+5i',
  '1.5i',
  't',
  'false',
  '"str"',
  '"a b"',
  'abc',
  'NaN',
  '1e400',
  '0x10',
  '',
  '123456789012345678901234',
  '0.1234567890123456789',
  '-0',
  '007',
  '1e',
  '1.e5',
];
const MUTATIONS = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  ' ',
  '\t',
  '\n',
  '\r',
  '0',
  '-',
  '.',
  'e',
  'x',
  'é',
  '#',
  '=',
];

function jsonTs(r: Rnd, now: number): string | undefined {
  const x = r();
  if (x < 0.25) return undefined;
  if (x < 0.55) return String(now - Math.floor(r() * 3600_000));
  if (x < 0.6) return String(now - WEEK_MS);
  if (x < 0.63) return String(now - WEEK_MS - 1);
  if (x < 0.66) return String(now + 300_000 + (r() < 0.5 ? 1 : 0));
  if (x < 0.7) return 'null';
  if (x < 0.74) return JSON.stringify(new Date(now - Math.floor(r() * 1e6)).toISOString());
  if (x < 0.76) return '"garbage"';
  if (x < 0.79) return `${now - 5}.5`;
  if (x < 0.81) return '1e20';
  if (x < 0.83) return '0';
  if (x < 0.85) return 'true';
  return String(now - Math.floor(r() * 1000));
}

const ws = (r: Rnd) => (r() < 0.85 ? '' : pick(r, [' ', '\n', '\t', '\r\n', '  ']));

function jsonObject(r: Rnd, members: Array<[string, string]>): string {
  return `{${ws(r)}${members.map(([k, v]) => `${JSON.stringify(k)}${ws(r)}:${ws(r)}${v}`).join(`${ws(r)},${ws(r)}`)}${ws(r)}}`;
}

function jsonReading(r: Rnd, now: number): string {
  if (r() < 0.03) return pick(r, ['5', 'null', '[1]', '"x"']);
  const members: Array<[string, string]> = [];
  const valid = r() < 0.8;
  if (!valid || r() < 0.97) members.push(['metric', `"${valid ? pick(r, METRICS.slice(0, 7)) : pick(r, METRICS)}"`]);
  if (!valid || r() < 0.97)
    members.push(['value', valid && r() < 0.9 ? pick(r, JSON_VALUES.slice(0, 11)) : pick(r, JSON_VALUES)]);
  const ts = jsonTs(r, now);
  if (ts !== undefined) members.push(['ts', ts]);
  if (r() < 0.03) members.push([pick(r, ['note', 'metric', 'value', 'ts', 'values']), '"x"']);
  if (r() < 0.3) members.reverse();
  return jsonObject(r, members);
}

function jsonPayload(r: Rnd, now: number): string {
  const shape = r();
  if (shape < 0.7) {
    const n = Math.floor(r() * 12);
    return `${ws(r)}[${ws(r)}${Array.from({ length: n }, () => jsonReading(r, now)).join(`${ws(r)},${ws(r)}`)}${ws(r)}]${ws(r)}`;
  }
  if (shape < 0.85) return jsonReading(r, now);
  const entries: Array<[string, string]> = Array.from({ length: Math.floor(r() * 6) }, () => [
    pick(r, METRICS.slice(0, r() < 0.9 ? 7 : METRICS.length)),
    r() < 0.9 ? pick(r, JSON_VALUES.slice(0, 11)) : pick(r, JSON_VALUES),
  ]);
  const members: Array<[string, string]> = [['values', jsonObject(r, entries)]];
  const ts = jsonTs(r, now);
  if (ts !== undefined) members.push(['ts', ts]);
  if (r() < 0.3) members.reverse();
  return jsonObject(r, members);
}

function linePayload(r: Rnd, now: number): string {
  const out: string[] = [];
  const n = Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const kind = r();
    if (kind < 0.08) {
      out.push(pick(r, ['# comment', '  # indented', '#', '# año']));
      continue;
    }
    if (kind < 0.14) {
      out.push(pick(r, ['', '   ', '\t', '\r']));
      continue;
    }
    const valid = r() < 0.75;
    const meas = valid ? pick(r, MEASUREMENTS.slice(0, 3)) : pick(r, MEASUREMENTS);
    const tags = valid ? pick(r, TAGS.slice(0, 5)) : pick(r, TAGS);
    const fields = Array.from(
      { length: 1 + Math.floor(r() * 3) },
      () =>
        `${valid ? pick(r, FIELD_KEYS.slice(0, 5)) : pick(r, FIELD_KEYS)}=${valid ? pick(r, LINE_VALUES.slice(0, 9)) : pick(r, LINE_VALUES)}`,
    ).join(',');
    const t = r();
    let ts = '';
    if (t < 0.5) ts = `${now - Math.floor(r() * 3600_000)}${String(Math.floor(r() * 1e6)).padStart(6, '0')}`;
    else if (t < 0.55) ts = `${now - WEEK_MS}000000`;
    else if (t < 0.58) ts = `${now - WEEK_MS - 1}999999`;
    else if (t < 0.62)
      ts = pick(r, [
        '0',
        '-1000000',
        '123',
        '12.5',
        'now',
        '12345678901234567890',
        '9999999999999999999',
        `-${now}000000`,
        `0${now}000000`,
        `00${now}000`,
      ]);
    const sep = () => (r() < 0.9 ? ' ' : pick(r, ['  ', '\t', ' \t']));
    const lead = r() < 0.9 ? '' : pick(r, [' ', '\t', '  ']);
    const trail = r() < 0.9 ? '' : pick(r, [' ', '\t', '\r', ' \r']);
    out.push(`${lead}${meas}${tags}${sep()}${fields}${ts ? sep() + ts : ''}${trail}`);
  }
  return out.join(r() < 0.8 ? '\n' : '\r\n') + (r() < 0.3 ? '\n' : '');
}

function mutate(r: Rnd, s: string): string {
  const x = r();
  if (s.length === 0) return pick(r, MUTATIONS);
  const at = Math.floor(r() * s.length);
  if (x < 0.3) return s.slice(0, at) + s.slice(at + 1);
  if (x < 0.7) return s.slice(0, at) + pick(r, MUTATIONS) + s.slice(at);
  if (x < 0.85) return s.slice(0, at);
  return `\uFEFF${s}`;
}

function randomLimits(r: Rnd, payload: string): DecodeLimits {
  const x = r();
  if (x < 0.7) return DEFAULT_DECODE_LIMITS;
  if (x < 0.8) return limitsWith({ maxReadingsPerMessage: Math.floor(r() * 6) });
  if (x < 0.9)
    return limitsWith({
      maxPayloadBytes: Math.max(0, new TextEncoder().encode(payload).length + Math.floor(r() * 5) - 2),
    });
  return limitsWith({ maxPastMs: Math.floor(r() * 7200_000), maxFutureMs: Math.floor(r() * 1000) });
}

describe('decodeReadingColumns: property test against decodeReadings', () => {
  it('is equivalent on thousands of random valid and broken JSON and line-protocol payloads, mostly on the fast path', () => {
    const r = mulberry32(20251127);
    const paths = { json: { fast: 0, fallback: 0 }, line: { fast: 0, fallback: 0 } };
    for (let i = 0; i < 6000; i++) {
      const format = r() < 0.5 ? 'json' : 'line';
      let payload = format === 'json' ? jsonPayload(r, NOW) : linePayload(r, NOW);
      if (r() < 0.25) payload = mutate(r, payload);
      const limits = randomLimits(r, payload);
      const [a, b] = bothForms(payload, NOW, limits);
      expect(b).toBe(a); // the text and its bytes take the same path
      paths[format][a]++;
    }
    // The generators must exercise both paths of both formats, or the test proves little.
    for (const f of ['json', 'line'] as const) {
      expect(paths[f].fast).toBeGreaterThan(500);
      expect(paths[f].fallback).toBeGreaterThan(500);
    }
  });
});
