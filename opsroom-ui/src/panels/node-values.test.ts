import { describe, expect, it } from '@jest/globals';
import { update } from '../test-support/fixtures.js';
import { isStale, LEVEL_SOURCE_WORDS, levelSource, statusText } from './node-values.js';

describe('statusText', () => {
  it('says fresh when nothing at or below the node is missing', () => {
    expect(statusText(update('valle', 'output', 1, 5), true)).toBe('fresh');
  });
  it('says stale with how many devices stopped sending at any depth below, even while the node still has a value', () => {
    const u = update('valle', 'output', 1, 5, { missingDescendants: 1 });
    expect(isStale(u)).toBe(true);
    expect(statusText(u, true)).toBe('stale · 1 missing below');
    expect(
      statusText(update('valle', 'output', 1, null, { stale: true, missingChildren: 2, missingDescendants: 3 }), true),
    ).toBe('stale · 3 missing below');
  });
  it('names the silent devices of a leaf', () => {
    expect(statusText(update('valle/sur', 'output', 1, null, { stale: true, missingDescendants: 1 }), false)).toBe(
      'stale · 1 device silent',
    );
    expect(statusText(update('valle/sur', 'output', 1, 4, { missingDescendants: 2 }), false)).toBe(
      'stale · 2 devices silent',
    );
  });
  it('counts children that never sent anything apart', () => {
    expect(statusText(update('valle', 'output', 1, 5, { missingChildren: 1 }), true)).toBe(
      'fresh · 1 child without data',
    );
  });
  it('says no data yet without an update, and adds learning', () => {
    expect(statusText(undefined, true)).toBe('no data yet');
    expect(statusText(update('valle', 'output', 1, 5, { learning: true }), true)).toBe('fresh · learning');
  });
});

describe('levelSource: the set/learned mark beside capability and potentiality', () => {
  it("follows the live value's source, and says set for a number only in the model", () => {
    const learned = update('valle', 'output', 1, 5, { capability: 42, capabilitySource: 'learned' });
    expect(levelSource(learned, undefined, 'capability')).toBe('learned');
    expect(levelSource(learned, undefined, 'potentiality')).toBeUndefined();
    const set = update('valle', 'output', 1, 5, { potentiality: 90, potentialitySource: 'set' });
    expect(levelSource(set, { capability: 10 }, 'potentiality')).toBe('set');
    expect(levelSource(undefined, { capability: 10 }, 'capability')).toBe('set');
    expect(levelSource(undefined, { learn: { capability: { percentile: 95, windowDays: 28 } } }, 'capability')).toBe(
      undefined,
    );
    expect(LEVEL_SOURCE_WORDS.learned.mark).toBe('learned');
  });
});
