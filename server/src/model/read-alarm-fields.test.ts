import { describe, expect, it } from '@jest/globals';
import { formatProblem } from './problems.js';
import { parseModel } from './load-model.js';

// Issue 15 points 1, 2 and 4 in the model file: indicator `priority`, a node's `priorities`
// override, `max_shelve` per level and the `chattering` rule — read, defaulted, and refused with
// the file, line and field at fault.
const model = (top: string, indicator = '', node = '') => `name: t
levels: [site, shop]
${top}
indicators:
  - id: output
    unit: u
    rollup: sum
${indicator}
nodes:
  - id: site
    children:
      - id: press
${node}
`;

describe('alarm fields of the model file', () => {
  it('reads priority, per-node priorities, max_shelve by level and the chattering rule', () => {
    const { model: m, problems } = parseModel(
      model(
        'max_shelve: { shop: 600 }\nchattering: { reraises: 5, minutes: 15 }',
        '    priority: high',
        '        priorities: { output: critical }',
      ),
      'm.yaml',
    );
    expect(problems).toEqual([]);
    expect(m!.indicators[0]!.priority).toBe('high');
    expect(m!.nodes.get('site/press')!.priorities).toEqual({ output: 'critical' });
    expect(m!.nodes.get('site')!.priorities).toBeUndefined();
    expect(m!.nodes.get('site/press')!.maxShelveSec).toBe(600);
    expect(m!.nodes.get('site')!.maxShelveSec).toBe(8 * 3600);
    expect(m!.chattering).toEqual({ reraises: 5, minutes: 15 });
  });

  it('leaves priority and chattering out when the file does not set them (the server defaults apply)', () => {
    const { model: m, problems } = parseModel(model(''), 'm.yaml');
    expect(problems).toEqual([]);
    expect(m!.indicators[0]!.priority).toBeUndefined();
    expect(m!.chattering).toBeUndefined();
  });

  it('refuses an unknown priority with the file, line and field, and a did-you-mean', () => {
    const { problems } = parseModel(model('', '    priority: hihg'), 'm.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'm.yaml', line: 8, path: 'indicators[0].priority' });
    expect(formatProblem(problems[0]!)).toMatch(
      /m\.yaml:8:.*indicators\[0\]\.priority.*unknown priority "hihg".*did you mean "high"/s,
    );
  });

  it("refuses a node's priority for an unknown indicator and an unknown priority word, each at its line", () => {
    const { problems } = parseModel(model('', '', '        priorities: { outptu: high }'), 'm.yaml');
    expect(problems.map((p) => [p.line, p.path])).toEqual([[13, 'nodes[0].children[0].priorities.outptu']]);
    expect(problems[0]!.message).toMatch(/not an indicator id.*output/);
    const bad = parseModel(model('', '', '        priorities:\n          output: urgent'), 'm.yaml').problems;
    expect(bad.map((p) => [p.line, p.path])).toEqual([[14, 'nodes[0].children[0].priorities.output']]);
    expect(bad[0]!.message).toMatch(/unknown priority "urgent"/);
    const num = parseModel(model('', '', '        priorities: { output: 3 }'), 'm.yaml').problems;
    expect(num[0]!.message).toMatch(/must be one of: low, medium, high, critical, not a number \(3\)/);
  });

  it('refuses a max_shelve that is not positive or names no level, and a chattering rule that is not whole or is missing a field', () => {
    const shelve = parseModel(model('max_shelve: { shop: 0, floor: 60 }'), 'm.yaml').problems;
    expect(shelve.map((p) => [p.line, p.path])).toEqual([
      [3, 'max_shelve.shop'],
      [3, 'max_shelve.floor'],
    ]);
    expect(shelve.map((p) => p.message).join('\n')).toMatch(
      /the longest shelving of "shop" must be a positive number of seconds, not 0[\s\S]*"floor" is not a level name/,
    );
    const chatter = parseModel(model('chattering:\n  reraises: 2.5\n  minutes: 0'), 'm.yaml').problems;
    expect(chatter.map((p) => [p.line, p.path])).toEqual([
      [4, 'chattering.reraises'],
      [5, 'chattering.minutes'],
    ]);
    const missing = parseModel(model('chattering: { reraises: 3 }'), 'm.yaml').problems;
    expect(missing.map((p) => p.message)).toEqual([expect.stringMatching(/missing the required field "minutes"/)]);
  });

  it("reads a node's reminder interval (notify.remind_every, seconds, 0 = none) and refuses a negative one at its line", () => {
    const ok = parseModel(
      model('', '', '        notify: { webhook: "https://h.example/x", secret_env: HOOK, remind_every: 900 }'),
      'm.yaml',
    );
    expect(ok.problems).toEqual([]);
    expect(ok.model!.nodes.get('site/press')!.notify).toEqual({
      webhook: 'https://h.example/x',
      secretEnv: 'HOOK',
      remindEverySec: 900,
    });
    const bad = parseModel(
      model('', '', '        notify: { webhook: "https://h.example/x", secret_env: HOOK, remind_every: -5 }'),
      'm.yaml',
    ).problems;
    expect(bad.map((p) => [p.line, p.path])).toEqual([[13, 'nodes[0].children[0].notify.remind_every']]);
    expect(bad[0]!.message).toMatch(/must be a number of seconds ≥ 0 \(0: no reminders\), not -5/);
  });
});
