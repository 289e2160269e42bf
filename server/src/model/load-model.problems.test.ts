import { describe, it, expect } from '@jest/globals';
import { hashSecret } from '../auth/hash.js';
import { parseModel } from './load-model.js';
import type { ModelProblem } from './problems.js';

const HASH = hashSecret('demo');

// A good model; the tests below break one line of it and check where the problem is reported.
const BASE = [
  /*  1 */ 'name: Test',
  /*  2 */ 'levels: [site, shop]',
  /*  3 */ 'correction_windows: { shop: 60 }',
  /*  4 */ 'indicators:',
  /*  5 */ '  - id: output',
  /*  6 */ '    unit: units/h',
  /*  7 */ '    rollup: sum',
  /*  8 */ '  - id: defects',
  /*  9 */ '    unit: "%"',
  /* 10 */ '    rollup: weighted_mean',
  /* 11 */ '    weight: members',
  /* 12 */ 'nodes:',
  /* 13 */ '  - id: site',
  /* 14 */ '    children:',
  /* 15 */ '      - id: press',
  /* 16 */ '        weights: { members: 3 }',
  /* 17 */ 'devices:',
  /* 18 */ '  - id: press-plc',
  /* 19 */ '    node: site/press',
  /* 20 */ `    secret_hash: "${HASH}"`,
  /* 21 */ 'users:',
  /* 22 */ '  - name: boss',
  /* 23 */ '    role: admin',
  /* 24 */ '    scope: site',
  /* 25 */ `    password_hash: "${HASH}"`,
];

/** BASE with some lines replaced (1-based line -> new text; an array inserts several lines). */
function edit(changes: Record<number, string | string[]>): string {
  return BASE.flatMap((line, i) => changes[i + 1] ?? line).join('\n') + '\n';
}

function problems(text: string): ModelProblem[] {
  const r = parseModel(text, 'm.yaml');
  expect(r.model).toBeUndefined();
  expect(r.problems.length).toBeGreaterThan(0);
  return r.problems;
}

/** The single problem a change causes. */
function onlyProblem(text: string): ModelProblem {
  const ps = problems(text);
  expect(ps.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`)).toHaveLength(1);
  return ps[0]!;
}

describe('parseModel problems', () => {
  it('accepts the base model used by these tests', () => {
    expect(parseModel(edit({}), 'm.yaml').problems).toEqual([]);
  });

  describe('YAML syntax', () => {
    it('reports a syntax error at its line and column, naming the file', () => {
      const p = onlyProblem(edit({ 16: '        weights: { members: 3 ' }));
      expect(p).toMatchObject({ file: 'm.yaml', line: 17, column: 1 });
      expect(p.message).toMatch(/^YAML syntax error: /);
    });

    it('reports every syntax error, not just the first', () => {
      const ps = problems(edit({ 6: '\tunit: units/h', 19: '    node: [site' }));
      expect(ps.map((p) => p.line)).toEqual(expect.arrayContaining([6]));
      expect(ps.length).toBeGreaterThanOrEqual(2);
      for (const p of ps) expect(p.message).toMatch(/^YAML syntax error/);
    });

    it('refuses an empty file and a file that is not a mapping', () => {
      expect(onlyProblem('')).toMatchObject({
        line: 1,
        column: 1,
        path: '',
        message: expect.stringContaining('the model file is empty'),
      });
      expect(onlyProblem('# nothing\n')).toMatchObject({ message: expect.stringContaining('empty') });
      expect(onlyProblem('- a\n- b\n')).toMatchObject({
        line: 1,
        column: 1,
        message: expect.stringContaining('must be a mapping of key: value at the top level'),
      });
    });
  });

  describe('keys', () => {
    it('reports an unknown key at the key, with a did-you-mean and the keys allowed', () => {
      const p = onlyProblem(edit({ 16: ['        weights: { members: 3 }', '        nmae: Press'] }));
      expect(p).toMatchObject({
        line: 17,
        column: 9,
        path: 'nodes[0].children[0].nmae',
        message: 'unknown key "nmae" in a node; did you mean "name"?',
      });
      expect(p.expected).toBe('one of: id, name, correction_window, weights, levels, priorities, notify, children');
    });

    it('notes that a path or weight may be missing because of problems in the nodes', () => {
      const ps = problems(edit({ 14: '    chidlren:' }));
      expect(ps.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
        '11:13 indicators[1].weight',
        '14:5 nodes[0].chidlren',
        '19:11 devices[0].node',
      ]);
      expect(ps[0]!.message).toContain('(the nodes have problems too, which may be why)');
      expect(ps[2]!.message).toBe('no node has the path "site/press" (the nodes have problems too, which may be why)');
    });

    it('reports unknown keys at every level of the file', () => {
      const ps = problems(edit({ 2: 'level: [site, shop]', 9: '    units: "%"', 22: '  - nmae: boss' }));
      const at = (path: string) => ps.find((p) => p.path === path);
      expect(at('level')).toMatchObject({
        line: 2,
        column: 1,
        message: expect.stringContaining('did you mean "levels"?'),
      });
      expect(at('indicators[1].units')).toMatchObject({
        line: 9,
        column: 5,
        message: expect.stringContaining('did you mean "unit"?'),
      });
      expect(at('users[0].nmae')).toMatchObject({
        line: 22,
        column: 5,
        message: expect.stringContaining('did you mean "name"?'),
      });
    });

    it('reports a key given twice at the second one', () => {
      const p = onlyProblem(edit({ 7: ['    rollup: sum', '    rollup: max'] }));
      expect(p).toMatchObject({
        line: 8,
        column: 5,
        path: 'indicators[0].rollup',
        message: '"rollup" is given twice in an indicator (first on line 7); keep one',
      });
    });

    it('reports a missing required field at the mapping that lacks it', () => {
      const p = onlyProblem(edit({ 6: '    name: Output' }));
      expect(p).toMatchObject({
        line: 5,
        column: 5,
        path: 'indicators[0].unit',
        message: 'an indicator is missing the required field "unit"',
      });
      const q = onlyProblem(edit({ 1: '# no name' }));
      expect(q).toMatchObject({
        line: 2,
        column: 1,
        path: 'name',
        message: 'the model is missing the required field "name"',
      });
    });

    it('reports a required field with no value at the field', () => {
      const p = onlyProblem(edit({ 19: '    node:' }));
      expect(p).toMatchObject({ line: 19, column: 5, path: 'devices[0].node', message: '"node" has no value' });
    });
  });

  describe('types', () => {
    it('reports a number where text belongs, suggesting quotes', () => {
      const p = onlyProblem(edit({ 6: '    unit: 3' }));
      expect(p).toMatchObject({ line: 6, column: 11, path: 'indicators[0].unit' });
      expect(p.message).toContain(
        'must be text such as "kWh", or "1" for a plain count, not a number (3); put it in quotes',
      );
    });

    it('reports text where a number belongs', () => {
      const p = onlyProblem(edit({ 16: '        weights: { members: many }' }));
      expect(p).toMatchObject({
        line: 16,
        column: 29,
        path: 'nodes[0].children[0].weights.members',
        message: 'the weight "members" must be a number ≥ 0, not the text "many"',
      });
    });

    it('reports a mapping where a list belongs, and a list where a mapping belongs', () => {
      const ps = problems(edit({ 15: '      id: press', 16: '      weights: { members: 3 }' }));
      expect(ps.find((p) => p.path === 'nodes[0].children')).toMatchObject({
        line: 15,
        column: 7,
        message: '"children" must be a list of nodes (lines starting with "- "), not a mapping',
      });
      const q = onlyProblem(
        edit({ 16: '        weights: [3]' })
          .replace('    weight: members\n', '')
          .replace('rollup: weighted_mean', 'rollup: mean'),
      );
      // (one line fewer: the indicator's weight line was removed)
      expect(q).toMatchObject({
        line: 15,
        column: 18,
        path: 'nodes[0].children[0].weights',
        message: '"weights" must be a mapping of weight name to number, e.g. { members: 12 }, not a list',
      });
    });

    it('reports a list item that is not a mapping', () => {
      const ps = problems(
        edit({ 18: '  - press-plc', 19: '  - id: x', 20: `    node: site\n    secret_hash: "${HASH}"` }),
      );
      expect(ps[0]).toMatchObject({
        line: 18,
        column: 5,
        path: 'devices[0]',
        message: 'devices[0] must be a device (a mapping of key: value), not the text "press-plc"',
      });
    });

    it('reports capability and potentiality that are not numbers', () => {
      const p = onlyProblem(
        edit({
          16: ['        weights: { members: 3 }', '        levels: { output: { capability: lots, potentiality: 10 } }'],
        }),
      );
      expect(p).toMatchObject({
        line: 17,
        column: 41,
        path: 'nodes[0].children[0].levels.output.capability',
        message: '"capability" must be a number, "learned" or { learn: … }, not the text "lots"',
      });
    });

    it('reports a misspelt "learned", with a did-you-mean and what is expected', () => {
      const p = onlyProblem(
        edit({ 16: ['        weights: { members: 3 }', '        levels: { output: { potentiality: learnt } }'] }),
      );
      expect(p).toMatchObject({
        line: 17,
        column: 43,
        path: 'nodes[0].children[0].levels.output.potentiality',
        message:
          '"potentiality" must be a number, "learned" or { learn: … }, not the text "learnt"; did you mean "learned"?',
      });
      expect(p.expected).toContain('{ learn: { percentile, window_days }, fallback }');
    });

    it('reports a learning rule out of range, an unknown key in it, and a learned level without its rule', () => {
      const rule = (text: string) =>
        onlyProblem(
          edit({ 16: ['        weights: { members: 3 }', `        levels: { output: { capability: ${text} } }`] }),
        );
      expect(rule('{ learn: { percentile: 120 } }')).toMatchObject({
        line: 17,
        path: 'nodes[0].children[0].levels.output.capability.learn.percentile',
        message: '"percentile" must be a percentile above 0, at most 100 (e.g. 95), not 120',
      });
      expect(rule('{ learn: { window_days: -1 } }')).toMatchObject({
        path: 'nodes[0].children[0].levels.output.capability.learn.window_days',
        message: '"window_days" must be a number of days above 0, at most 3660 (e.g. 28), not -1',
      });
      expect(rule('{ learn: { windowDays: 7 } }')).toMatchObject({
        path: 'nodes[0].children[0].levels.output.capability.learn.windowDays',
        message: 'unknown key "windowDays" in a learning rule; did you mean "window_days"?',
      });
      expect(rule('{ fallback: 100 }')).toMatchObject({
        path: 'nodes[0].children[0].levels.output.capability.learn',
        message: 'a learned level is missing the required field "learn"',
      });
      expect(rule('{ learn: {}, fallback: lots }')).toMatchObject({
        path: 'nodes[0].children[0].levels.output.capability.fallback',
        message: '"fallback" must be a number, used until enough history is learned, not the text "lots"',
      });
    });

    it("refuses a number as an indicator's capability: numbers are set per node", () => {
      const p = onlyProblem(edit({ 7: ['    rollup: sum', '    capability: 120'] }));
      expect(p).toMatchObject({
        line: 8,
        column: 17,
        path: 'indicators[0].capability',
        message: `an indicator's "capability" can only be learned ("capability: learned"); set a number per node under "levels:"`,
      });
    });
  });

  describe('ids', () => {
    it('refuses an id with a "/", saying to nest nodes instead', () => {
      const p = onlyProblem(edit({ 15: '      - id: site/press' }).replace('node: site/press', 'node: site'));
      expect(p).toMatchObject({ line: 15, column: 13, path: 'nodes[0].children[0].id' });
      expect(p.message).toContain('"site/press" is not a valid node id: "/" separates the ids in a node path');
      expect(p.expected).toContain('a letter or digit');
    });

    it('refuses ids with other characters, a bad start, or more than 64 characters', () => {
      expect(onlyProblem(edit({ 18: '  - id: press plc' })).message).toBe(
        '"press plc" is not a valid device id: it contains " "; use letters, digits, "_" and "-" only',
      );
      expect(onlyProblem(edit({ 5: '  - id: _output' })).message).toContain('it must start with a letter or a digit');
      const long = 'x'.repeat(65);
      expect(onlyProblem(edit({ 22: `  - name: ${long}` })).message).toContain(
        'it is 65 characters long; the most is 64',
      );
      expect(onlyProblem(edit({ 5: '  - id: out+put' }))).toMatchObject({
        line: 5,
        column: 9,
        path: 'indicators[0].id',
      });
    });

    it('reports two siblings with the same id at the second', () => {
      const p = onlyProblem(edit({ 16: ['        weights: { members: 3 }', '      - id: press'] }));
      expect(p).toMatchObject({
        line: 17,
        column: 13,
        path: 'nodes[0].children[1].id',
        message: 'two nodes under "site" have the id "press" (first on line 15); sibling ids must be unique',
      });
    });

    it('allows the same id under different parents', () => {
      const text =
        'name: T\nnodes:\n  - id: r\n    children:\n      - id: a\n        children: [{ id: x }]\n      - id: b\n        children: [{ id: x }]\n';
      expect(parseModel(text, 'm.yaml').problems).toEqual([]);
    });

    it('reports duplicate indicator ids, device ids and user names', () => {
      expect(onlyProblem(edit({ 8: '  - id: output', 11: '    weight: members' }))).toMatchObject({
        line: 8,
        column: 9,
        path: 'indicators[1].id',
        message: expect.stringContaining('the indicator id "output" is used twice (first on line 5)'),
      });
      const dev = onlyProblem(
        edit({
          20: [`    secret_hash: "${HASH}"`, '  - id: press-plc', '    node: site', `    secret_hash: "${HASH}"`],
        }),
      );
      expect(dev).toMatchObject({
        line: 21,
        column: 9,
        path: 'devices[1].id',
        message: 'the device id "press-plc" is used twice (first on line 18); device ids must be unique',
      });
      const user = onlyProblem(
        edit({
          25: [
            `    password_hash: "${HASH}"`,
            '  - name: boss',
            '    role: planner',
            '    scope: site',
            `    password_hash: "${HASH}"`,
          ],
        }),
      );
      expect(user).toMatchObject({
        line: 26,
        column: 11,
        path: 'users[1].name',
        message: 'the user name "boss" is used twice (first on line 22); user names must be unique',
      });
    });
  });

  describe('the tree', () => {
    it('needs exactly one root', () => {
      const p = onlyProblem(edit({ 16: ['        weights: { members: 3 }', '  - id: other'] }));
      expect(p).toMatchObject({
        line: 17,
        column: 5,
        path: 'nodes[1]',
        message: expect.stringContaining('exactly one root node'),
      });
      const empty = problems(edit({ 13: '', 14: '', 15: '', 16: '' }).replace('nodes:\n', 'nodes: []\n'));
      expect(empty.find((q) => q.path === 'nodes')).toMatchObject({
        line: 12,
        column: 8,
        message: '"nodes" is empty; it must hold exactly one root node',
      });
    });
  });

  describe('roll-ups and weights', () => {
    it('reports an unknown roll-up rule with the rules allowed', () => {
      const p = onlyProblem(edit({ 7: '    rollup: summ' }));
      expect(p).toMatchObject({
        line: 7,
        column: 13,
        path: 'indicators[0].rollup',
        message: 'unknown roll-up rule "summ"; did you mean "sum"?',
        expected: 'one of: sum, mean, weighted_mean, min, max',
      });
    });

    it('reports a weight that no node defines', () => {
      const p = onlyProblem(edit({ 11: '    weight: headcount' }));
      expect(p).toMatchObject({
        line: 11,
        column: 13,
        path: 'indicators[1].weight',
        message: 'no node defines the weight "headcount"; add "weights: { headcount: … }" to the nodes it weighs',
      });
      expect(onlyProblem(edit({ 11: '    weight: member' })).message).toBe(
        'no node defines the weight "member"; did you mean "members"?',
      );
    });

    it('needs a weight for weighted_mean and refuses one for other rules', () => {
      expect(onlyProblem(edit({ 11: '' }))).toMatchObject({
        line: 8,
        column: 5,
        path: 'indicators[1].weight',
        message: expect.stringContaining('a "weighted_mean" indicator needs "weight:"'),
      });
      expect(onlyProblem(edit({ 10: '    rollup: mean' }))).toMatchObject({
        line: 11,
        column: 13,
        path: 'indicators[1].weight',
        message: expect.stringContaining('"weight" only applies to "rollup: weighted_mean"'),
      });
    });

    it('reports a negative weight', () => {
      expect(onlyProblem(edit({ 16: '        weights: { members: -3 }' }))).toMatchObject({
        line: 16,
        column: 29,
        message: 'the weight "members" must be a number ≥ 0, not -3',
      });
    });

    it('reports levels for an indicator that does not exist', () => {
      const p = onlyProblem(
        edit({ 16: ['        weights: { members: 3 }', '        levels: { outptu: { capability: 1 } }'] }),
      );
      expect(p).toMatchObject({
        line: 17,
        column: 19,
        path: 'nodes[0].children[0].levels.outptu',
        message: '"outptu" is not an indicator id; did you mean "output"?',
      });
    });
  });

  describe('correction windows', () => {
    it('refuses a non-positive window of a level, at the value', () => {
      expect(onlyProblem(edit({ 3: 'correction_windows: { shop: 0 }' }))).toMatchObject({
        line: 3,
        column: 29,
        path: 'correction_windows.shop',
        message: 'the correction window of "shop" must be a positive number of seconds, not 0',
      });
    });

    it('refuses a non-positive window of a node', () => {
      const p = onlyProblem(edit({ 16: ['        weights: { members: 3 }', '        correction_window: -60'] }));
      expect(p).toMatchObject({
        line: 17,
        column: 28,
        path: 'nodes[0].children[0].correction_window',
        message: '"correction_window" must be a positive number of seconds, not -60',
      });
    });

    it('reports a window for a level that does not exist', () => {
      const p = onlyProblem(edit({ 3: 'correction_windows: { shpo: 60 }' }));
      expect(p).toMatchObject({
        line: 3,
        column: 23,
        path: 'correction_windows.shpo',
        message: '"shpo" is not a level name; did you mean "shop"? (the levels are site, shop)',
      });
    });

    it('reports one level given both by name and by depth', () => {
      const p = onlyProblem(edit({ 3: 'correction_windows: { shop: 60, 1: 120 }' }));
      expect(p).toMatchObject({
        line: 3,
        column: 33,
        message: 'depth 1 already has a correction window, given as "shop"; keep one',
      });
    });
  });

  describe('references to nodes', () => {
    it('reports a device bound to a missing node, suggesting the full path of a node with that id', () => {
      const p = onlyProblem(edit({ 19: '    node: press' }));
      expect(p).toMatchObject({
        line: 19,
        column: 11,
        path: 'devices[0].node',
        message: 'no node has the path "press"; did you mean "site/press"? Write the full path from the root',
      });
    });

    it('suggests the closest path for a misspelt one', () => {
      expect(onlyProblem(edit({ 19: '    node: site/pres' })).message).toBe(
        'no node has the path "site/pres"; did you mean "site/press"?',
      );
    });

    it('reports a user scope that is not a node', () => {
      const p = onlyProblem(edit({ 24: '    scope: elsewhere' }));
      expect(p).toMatchObject({
        line: 24,
        column: 12,
        path: 'users[0].scope',
        message: 'no node has the path "elsewhere"',
      });
    });

    it('reports an unknown role, and says devices are not users', () => {
      expect(onlyProblem(edit({ 23: '    role: planer' }))).toMatchObject({
        line: 23,
        column: 11,
        message: 'unknown role "planer"; did you mean "planner"?',
        expected: 'one of: council, planner, admin',
      });
      expect(onlyProblem(edit({ 23: '    role: device' })).message).toContain('devices go under "devices:"');
    });
  });

  describe('secrets', () => {
    it('refuses a secret_hash that is plain text, without echoing it', () => {
      const p = onlyProblem(edit({ 20: '    secret_hash: hunter2' }));
      expect(p).toMatchObject({ line: 20, column: 18, path: 'devices[0].secret_hash' });
      expect(p.message).toBe(
        '"secret_hash" looks like plain text, not a hash; make one with `opsroom model hash-secret` and paste it here',
      );
      expect(p.message).not.toContain('hunter2');
    });

    it('refuses a password_hash that is a broken scrypt string', () => {
      const p = onlyProblem(edit({ 25: '    password_hash: "scrypt$16384$8$1$...$..."' }));
      expect(p).toMatchObject({
        line: 25,
        column: 20,
        path: 'users[0].password_hash',
        message: expect.stringContaining('is not a well-formed scrypt hash'),
      });
    });

    it('refuses plain-text secret and password keys, saying to hash them', () => {
      const ps = problems(edit({ 20: '    secret: hunter2', 25: '    password: hunter2' }));
      const secret = ps.find((p) => p.path === 'devices[0].secret');
      expect(secret).toMatchObject({
        line: 20,
        column: 5,
        message:
          'plain-text "secret" is not allowed in the model file; hash it with `opsroom model hash-secret` and write the result as "secret_hash:" instead',
      });
      expect(ps.find((p) => p.path === 'users[0].password')).toMatchObject({
        line: 25,
        column: 5,
        message: expect.stringContaining('write the result as "password_hash:"'),
      });
    });
  });

  describe('aliases', () => {
    it('refuses an alias to a collection that holds aliases, which could nest without end', () => {
      const text = 'name: T\nnodes:\n  - &n\n    id: r\n    children: [*n]\n';
      const ps = problems(text);
      expect(
        ps.some((p) => p.message.includes('the alias *n points at a mapping or list that holds aliases itself')),
      ).toBe(true);
    });
  });

  it('reports all problems of a file at once, in reading order', () => {
    const ps = problems(
      edit({
        3: 'correction_windows: { shop: 0 }',
        7: '    rollup: avg',
        14: '    chidlren:',
        19: '    node: nowhere',
        25: '    password_hash: letmein',
      }),
    );
    expect(ps.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
      '3:29 correction_windows.shop',
      '7:13 indicators[0].rollup',
      '11:13 indicators[1].weight', // the only node defining "members" is now under an unknown key
      '14:5 nodes[0].chidlren',
      '19:11 devices[0].node',
      '25:20 users[0].password_hash',
    ]);
  });
});

describe('notify (alert webhooks)', () => {
  const withNotify = (notify: string) =>
    `name: t
indicators:
  - { id: output, unit: u, rollup: sum }
nodes:
  - id: root
    notify: ${notify}
`;
  it("reads a node's webhook and the name of its secret variable", () => {
    const { model, problems } = parseModel(
      withNotify('{ webhook: "https://hooks.example/x", secret_env: OPSROOM_HOOK }'),
      'm.yaml',
    );
    expect(problems).toEqual([]);
    expect(model!.nodes.get('root')!.notify).toEqual({ webhook: 'https://hooks.example/x', secretEnv: 'OPSROOM_HOOK' });
  });

  it('refuses a webhook that is not http(s), a bad variable name, and a missing field, naming the field', () => {
    const bad = parseModel(withNotify('{ webhook: "ftp://x", secret_env: "lower case" }'), 'm.yaml').problems;
    expect(bad.map((p) => p.path)).toEqual(['nodes[0].notify.webhook']);
    const badEnv = parseModel(withNotify('{ webhook: "https://x", secret_env: "lower case" }'), 'm.yaml').problems;
    expect(badEnv.map((p) => [p.path, p.line])).toEqual([['nodes[0].notify.secret_env', 6]]);
    const missing = parseModel(withNotify('{ webhook: "https://x" }'), 'm.yaml').problems;
    expect(missing.map((p) => p.message)).toEqual([expect.stringMatching(/missing the required field "secret_env"/)]);
  });
});

describe('devices[].tags (issue 18: how line-protocol tags map)', () => {
  it('reads a tag rule onto the device', () => {
    const rule = '    tags: { metric: [sensor, line], ignore: [host] }';
    const r = parseModel(edit({ 20: [`    secret_hash: "${HASH}"`, rule] }), 'm.yaml');
    expect(r.problems).toEqual([]);
    expect(r.model!.devices.get('press-plc')!.tags).toEqual({ metric: ['sensor', 'line'], ignore: ['host'] });
    expect(parseModel(edit({}), 'm.yaml').model!.devices.get('press-plc')!.tags).toBeUndefined();
  });

  it.each([
    ['an unknown key', '    tags: { metrics: [sensor] }', 'tags.metrics', 'unknown key "metrics"'],
    ['a tag in the name and ignored', '    tags: { metric: [host], ignore: [host] }', 'tags.ignore[0]', 'listed twice'],
    ['a tag key that is not text', '    tags: { ignore: [[a]] }', 'tags.ignore[0]', 'a tag key must be text'],
    ['a list that is not a list', '    tags: { metric: sensor }', 'tags.metric', 'must be a list'],
  ])('refuses %s at its line, naming the field', (_what, line, path, message) => {
    const p = onlyProblem(edit({ 20: [`    secret_hash: "${HASH}"`, line] }));
    expect(p).toMatchObject({ line: 21, path: `devices[0].${path}` });
    expect(p.message).toContain(message);
  });
});
