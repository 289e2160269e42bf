import { describe, expect, it } from '@jest/globals';
import { Check, Errors } from 'typebox/value';
import type { Alert } from '../alerts/alert.js';
import { alarmHealth } from '../alerts/alarm-health.js';
import { AlarmHealthAnswerSchema, AlarmHealthSchema, ChildHealthSchema } from './alarm-health.js';
import { ErrorSchema, HealthzSchema } from './operations.js';

const H = 3600_000;
const raised = (id: string, node: string, at: number, acked?: number): Alert =>
  ({
    id,
    node,
    owner: node,
    path: [node],
    indicator: 'output',
    state: acked === undefined ? 'raised' : 'acknowledged',
    raisedAt: at,
    updatedAt: acked ?? at,
    trail: [
      { at, action: 'raised', actor: 'system', fromNode: node, toNode: node },
      ...(acked === undefined
        ? []
        : [{ at: acked, action: 'acknowledged', actor: 'ana', fromNode: node, toNode: node }]),
    ],
  }) as unknown as Alert;

describe('AlarmHealthSchema', () => {
  it('accepts what alarmHealth() computes, with and without medians, and refuses a field it does not know', () => {
    const now = 10 * H;
    const none = alarmHealth([], { node: 'r', now, hours: 2 });
    const some = alarmHealth([raised('a', 'r/x', now - H, now - H + 60_000), raised('b', 'r/y', now - 30 * 60_000)], {
      node: 'r',
      now,
      hours: 2,
    });
    expect(some.medianAckMs).toBe(60_000);
    expect(none.medianAckMs).toBeNull();
    for (const h of [none, some]) expect([...Errors(AlarmHealthSchema, h)]).toEqual([]);
    expect(Check(AlarmHealthSchema, { ...some, extra: 1 })).toBe(false);
    expect(Check(AlarmHealthSchema, { ...some, raises: 1.5 })).toBe(false);
  });

  it("makes the route's answer of the figures and each child's line", () => {
    const now = 10 * H;
    const h = alarmHealth([], { node: 'r', now, hours: 1 });
    const child = {
      node: 'r/x',
      raises: 0,
      alertsPerHour: 0,
      flooded: 0,
      standing: 0,
      open: 0,
      shelved: 0,
      chattering: 0,
    };
    expect(Check(ChildHealthSchema, child)).toBe(true);
    expect(Check(AlarmHealthAnswerSchema, { ...h, children: [child] })).toBe(true);
    expect(Check(AlarmHealthAnswerSchema, h)).toBe(false); // children are part of the answer
  });
});

describe('operations schemas', () => {
  it('describe an error answer and /healthz as the server writes them', () => {
    expect(Check(ErrorSchema, { statusCode: 404, code: 'OPS_ERR_NOT_FOUND', error: 'Not Found', message: 'no' })).toBe(
      true,
    );
    expect(Check(ErrorSchema, { statusCode: 404, message: 'no' })).toBe(false);
    const ok = { status: 'ok', components: { store: { ok: true, detail: 'sqlite: opsroom.db (WAL)' } } };
    expect(Check(HealthzSchema, ok)).toBe(true);
    expect(Check(HealthzSchema, { ...ok, status: 'fine' })).toBe(false);
    expect(Check(HealthzSchema, { status: 'degraded', components: { state: { ok: 'no', detail: '' } } })).toBe(false);
  });
});
