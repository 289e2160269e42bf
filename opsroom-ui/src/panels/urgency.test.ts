import { describe, expect, it } from '@jest/globals';
import { alert } from '../test-support/fixtures.js';
import { byUrgency, sortByUrgency } from './urgency.js';

const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

describe('sortByUrgency', () => {
  it('puts escalated before raised before acknowledged before resolved, whatever the deadlines', () => {
    const sorted = sortByUrgency([
      alert('resolved', { state: 'resolved', deadline: null }),
      alert('acked', { state: 'acknowledged', deadline: 1 }),
      alert('raised', { state: 'raised', deadline: 5_000 }),
      alert('escalated', { state: 'escalated', deadline: 90_000 }),
    ]);
    expect(ids(sorted)).toEqual(['escalated', 'raised', 'acked', 'resolved']);
  });

  it('orders alerts of one state by the soonest deadline, those without one last', () => {
    const sorted = sortByUrgency([
      alert('late', { deadline: 9_000 }),
      alert('none', { deadline: null }),
      alert('soon', { deadline: 2_000 }),
    ]);
    expect(ids(sorted)).toEqual(['soon', 'late', 'none']);
  });

  it('breaks deadline ties by higher score, then by most recently raised, then by id', () => {
    const sorted = sortByUrgency([
      alert('b-old', { score: 0.5, raisedAt: 1 }),
      alert('hi', { score: 0.9 }),
      alert('a-new', { score: 0.5, raisedAt: 5 }),
      alert('c-new', { score: 0.5, raisedAt: 5 }),
    ]);
    expect(ids(sorted)).toEqual(['hi', 'a-new', 'c-new', 'b-old']);
  });

  it('puts a higher priority first whatever the state and deadline, and shelved alerts after active ones', () => {
    const sorted = sortByUrgency([
      alert('low-escalated', { priority: 'low', state: 'escalated', deadline: 1 }),
      alert('shelved-critical', {
        priority: 'critical',
        shelved: { by: 'x', at: 0, until: 9, remainingMs: 5 },
        deadline: null,
      }),
      alert('critical', { priority: 'critical', deadline: 90_000 }),
      alert('medium-default', { deadline: 5 }),
      alert('resolved-critical', { priority: 'critical', state: 'resolved', deadline: null }),
    ]);
    expect(ids(sorted)).toEqual([
      'critical',
      'medium-default',
      'low-escalated',
      'shelved-critical',
      'resolved-critical',
    ]);
  });

  it('does not reorder its input', () => {
    const input = [alert('x', { deadline: 9 }), alert('y', { deadline: 1 })];
    sortByUrgency(input);
    expect(ids(input)).toEqual(['x', 'y']);
  });

  it('is a consistent comparator (antisymmetric)', () => {
    const a = alert('a', { deadline: 1 });
    const b = alert('b', { deadline: 2 });
    expect(Math.sign(byUrgency(a, b))).toBe(-Math.sign(byUrgency(b, a)));
    expect(byUrgency(a, a)).toBe(0);
  });
});
