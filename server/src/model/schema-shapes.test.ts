import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRIORITIES, ROLES, ROLLUP_RULES } from '@opsroom/models';
import type { MapShape } from './fields.js';
import { DEVICE_SHAPE, TAG_RULE_SHAPE } from './read-devices.js';
import { INDICATOR_SHAPE } from './read-indicators.js';
import { CHATTERING_SHAPE } from './read-levels.js';
import { MODEL_SHAPE } from './read-model.js';
import { LEARN_RULE_SHAPE, LEARNED_LEVEL_SHAPE } from './read-learn.js';
import { LEVELS_SHAPE, NODE_SHAPE, NOTIFY_SHAPE } from './read-nodes.js';
import { SERVER_SHAPE } from './read-servers.js';
import { USER_SHAPE } from './read-users.js';

// One definition of the model file: the loader's shapes (the keys each mapping may hold and
// must hold) and models' enums. The published JSON Schema (what editors check the file against) is
// checked against them here, mapping by mapping, so neither can drift from the other.
interface ObjectSchema {
  type?: string;
  additionalProperties?: boolean | object;
  required?: string[];
  properties?: Record<
    string,
    ObjectSchema & { $ref?: string; items?: ObjectSchema & { $ref?: string }; enum?: string[] }
  >;
  enum?: string[];
}
const MODELS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models');
const schema = JSON.parse(readFileSync(join(MODELS, 'schema/model.schema.json'), 'utf8')) as ObjectSchema & {
  $defs: Record<string, ObjectSchema>;
};
const def = (name: string) => schema.$defs[name]!;
const prop = (o: ObjectSchema, key: string) => o.properties![key]!;

const mappings: Array<[string, ObjectSchema, MapShape]> = [
  ['the model (top level)', schema, MODEL_SHAPE],
  ['an indicator', def('indicator'), INDICATOR_SHAPE],
  ['a node', def('node'), NODE_SHAPE],
  ["a node's notify", prop(def('node'), 'notify'), NOTIFY_SHAPE],
  ['the levels of an indicator', def('levels'), LEVELS_SHAPE],
  ['a learned level', def('learnedLevel'), LEARNED_LEVEL_SHAPE],
  ['a learning rule', prop(def('learnedLevel'), 'learn'), LEARN_RULE_SHAPE],
  ['a device', def('device'), DEVICE_SHAPE],
  ["a device's tags", prop(def('device'), 'tags'), TAG_RULE_SHAPE],
  ['a user', def('user'), USER_SHAPE],
  ['a server', def('server'), SERVER_SHAPE],
  ['the chattering rule', prop(schema, 'chattering'), CHATTERING_SHAPE as MapShape],
];

describe('the model JSON Schema against the loader', () => {
  it.each(mappings)('%s: same keys, same required keys, nothing else allowed', (_what, s, shape) => {
    expect(Object.keys(s.properties ?? {}).sort()).toEqual([...shape.keys].sort());
    expect([...(s.required ?? [])].sort()).toEqual([...(shape.required ?? [])].sort());
    expect(s.additionalProperties).toBe(false);
  });

  it("has models' enums: roll-up rules, priorities, the roles a person may have", () => {
    expect(prop(def('indicator'), 'rollup').enum).toEqual([...ROLLUP_RULES]);
    expect(def('priority').enum).toEqual([...PRIORITIES]);
    expect(prop(def('user'), 'role').enum).toEqual(ROLES.filter((r) => r !== 'device'));
  });
});
