import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Alert } from '@opsroom/models';
import { AlertSchema } from '@opsroom/models/http';
import { tinyModel } from '../../test/support/tiny-model.js';
import { boss, councilA, setup, step, T0, workerA1 } from '../../test/support/alert-test-kit.js';

// The Alert type is derived from models' AlertSchema, which the API serialises with and publishes.
// Here the alerts the service really produces — raised, updated, shelved, assigned, escalated,
// grouped, resolved — are checked against that schema with nothing extra allowed, so a field the
// server adds at run time without declaring it fails here rather than going undocumented.
const strict = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = strict(v);
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined)
    out.additionalProperties = false;
  return out;
};
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(
  strict(JSON.parse(JSON.stringify(AlertSchema))) as object,
);
const problems = (a: Alert) =>
  validate(JSON.parse(JSON.stringify(a)))
    ? []
    : validate.errors!.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);

describe("the alerts the service produces conform to the API's AlertSchema", () => {
  it('through raise, update, shelve, assign, comment, escalation, grouping and resolve', () => {
    const model = tinyModel();
    model.users.set('worker-a1', { name: 'worker-a1', role: 'council', scope: 'r/a/a1', passwordHash: 'x' });
    const k = setup({ model });
    k.svc.onDetection(step('r/a/a1'));
    k.svc.onDetection(step('r/a/a2'));
    k.svc.onDetection(step('r/a/a1', 0.99, 900));
    const id = k.svc.list(boss).find((a) => a.node === 'r/a/a1')!.id;
    k.svc.shelve(id, workerA1, 10, 'checking');
    k.svc.unshelve(id, councilA, 'done');
    k.svc.assign(id, councilA, 'worker-a1', 'yours');
    k.svc.comment(id, councilA, 'looking');
    k.clock.t = T0 + 3600_000 * 5;
    k.svc.checkDeadlines();
    const all = k.svc.list(boss);
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const a of all) expect([a.id, problems(a)]).toEqual([a.id, []]);
    const resolved = k.svc.resolve(id, boss, 'fixed');
    expect(problems(resolved)).toEqual([]);
    expect(all.some((a) => a.kind === 'group' || a.groupedBy !== undefined || a.state === 'escalated')).toBe(true);
  });

  it('refuses what the schema does not declare (the check can fail)', () => {
    const k = setup({ grouping: false });
    k.svc.onDetection(step('r/a/a1'));
    const a = k.svc.list(boss)[0]!;
    expect(problems({ ...a, undeclared: 1 } as Alert)).not.toEqual([]);
    expect(problems({ ...a, state: 'open' } as unknown as Alert)).not.toEqual([]);
  });
});
