import { describe, expect, it } from '@jest/globals';
import { alert } from '../test-support/fixtures.js';
import { badges } from './alert-badges.js';

const time = (ms: number) => `t${ms}`;

describe('alert badges', () => {
  it('always shows the priority as a shape and a word, medium when the alert has none', () => {
    expect(badges(alert('a'), time).map((b) => `${b.shape} ${b.text}`)).toEqual(['▮▮ medium']);
    expect(badges(alert('a', { priority: 'critical' }), time).map((b) => `${b.kind} ${b.shape} ${b.text}`)).toEqual([
      'priority-critical ▮▮▮▮ critical',
    ]);
    expect(badges(alert('a', { priority: 'low' }), time)[0]!.shape).toBe('▮');
  });

  it('adds shelved, maintenance and chattering, each with a word, a shape and the reason in its title', () => {
    const b = badges(
      alert('a', {
        priority: 'high',
        shelved: { by: 'ana', at: 0, until: 50, note: 'tool change', remainingMs: 10 },
        maintenance: { window: 'w', until: 70, reason: 'relining' },
        chattering: { raises: 5, firstAt: 1, lastAt: 2 },
        assignee: 'ana',
      }),
      time,
    );
    expect(b.map((x) => `${x.shape} ${x.text}`)).toEqual([
      '▮▮▮ high',
      '⏸ shelved until t50',
      '⚙ maintenance until t70',
      '👤 ana',
      '↻ chattering ×5',
    ]);
    expect(b[1]!.title).toMatch(/shelved by ana: tool change/);
    expect(b[2]!.title).toMatch(/relining/);
  });
});
