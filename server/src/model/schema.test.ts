import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// ajv comes with fastify (which validates with it); the schema is draft 2020-12.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

// models/schema/model.schema.json is what editors check the file against while it is typed: it must
// accept every example and the complete example in models/README.md, and refuse what the loader refuses.
const MODELS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models');
const schema = JSON.parse(readFileSync(join(MODELS, 'schema/model.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const errorsOf = (doc: unknown) => (validate(doc) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`));

describe('models/schema/model.schema.json', () => {
  it.each(readdirSync(join(MODELS, 'examples')).filter((f) => f.endsWith('.yaml')))('accepts examples/%s', (file) => {
    expect(errorsOf(parse(readFileSync(join(MODELS, 'examples', file), 'utf8')))).toEqual([]);
  });

  it('accepts the complete example in models/README.md', () => {
    const readme = readFileSync(join(MODELS, 'README.md'), 'utf8');
    const block = /### A complete example[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const doc = parse(
      block
        .replaceAll('<salt>', 'AAAAAAAAAAAAAAAAAAAAAA==')
        .replaceAll('<hash>', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='),
    );
    expect(errorsOf(doc)).toEqual([]);
  });

  it('refuses an unknown key, an unknown roll-up rule, a non-positive window and a plain-text secret', () => {
    const base = () => ({
      name: 'x',
      indicators: [{ id: 'output', unit: 'u', rollup: 'sum' }],
      nodes: [{ id: 'a' }],
      devices: [
        {
          id: 'd',
          node: 'a',
          secret_hash: 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
        },
      ],
    });
    expect(errorsOf(base())).toEqual([]);
    expect(errorsOf({ ...base(), nodes: [{ id: 'a', chidlren: [] }] })).not.toEqual([]);
    expect(errorsOf({ ...base(), indicators: [{ id: 'output', unit: 'u', rollup: 'avg' }] })).not.toEqual([]);
    expect(errorsOf({ ...base(), nodes: [{ id: 'a', correction_window: 0 }] })).not.toEqual([]);
    expect(errorsOf({ ...base(), devices: [{ id: 'd', node: 'a', secret_hash: 'hunter2' }] })).not.toEqual([]);
  });

  it('accepts the alarm fields (priority, priorities, max_shelve, chattering) and refuses bad values of them', () => {
    const base = () => ({
      name: 'x',
      indicators: [{ id: 'output', unit: 'u', rollup: 'sum', priority: 'high' }],
      nodes: [{ id: 'a', priorities: { output: 'critical' } }],
      max_shelve: { 0: 600 },
      chattering: { reraises: 3, minutes: 60 },
    });
    expect(errorsOf(base())).toEqual([]);
    expect(
      errorsOf({ ...base(), indicators: [{ id: 'output', unit: 'u', rollup: 'sum', priority: 'urgent' }] }),
    ).not.toEqual([]);
    expect(errorsOf({ ...base(), nodes: [{ id: 'a', priorities: { output: 'urgent' } }] })).not.toEqual([]);
    expect(errorsOf({ ...base(), max_shelve: { 0: 0 } })).not.toEqual([]);
    expect(errorsOf({ ...base(), chattering: { reraises: 2.5, minutes: 60 } })).not.toEqual([]);
    expect(errorsOf({ ...base(), chattering: { reraises: 3 } })).not.toEqual([]);
  });

  it('accepts learned capability and potentiality (indicator and node) and refuses bad learning rules', () => {
    const base = (indicator: object = {}, levels: object = {}) => ({
      name: 'x',
      indicators: [{ id: 'output', unit: 'u', rollup: 'sum', ...indicator }],
      nodes: [{ id: 'a', levels: { output: levels } }],
    });
    expect(errorsOf(base({ capability: 'learned', potentiality: { learn: { window_days: 90 } } }))).toEqual([]);
    expect(errorsOf(base({}, { capability: 120, potentiality: 'learned' }))).toEqual([]);
    expect(errorsOf(base({}, { capability: { learn: { percentile: 90, window_days: 14 }, fallback: 100 } }))).toEqual(
      [],
    );
    expect(errorsOf(base({}, { capability: { learn: {} } }))).toEqual([]);
    expect(errorsOf(base({ capability: 120 }))).not.toEqual([]); // an indicator's numbers are set per node
    expect(errorsOf(base({}, { capability: 'learnt' }))).not.toEqual([]);
    expect(errorsOf(base({}, { capability: { fallback: 100 } }))).not.toEqual([]);
    expect(errorsOf(base({}, { capability: { learn: { percentile: 0 } } }))).not.toEqual([]);
    expect(errorsOf(base({}, { capability: { learn: { percentile: 101 } } }))).not.toEqual([]);
    expect(errorsOf(base({}, { capability: { learn: { window_days: 0 } } }))).not.toEqual([]);
    expect(errorsOf(base({}, { capability: { learn: { windowDays: 7 } } }))).not.toEqual([]);
  });
});
