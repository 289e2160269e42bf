import { describe, expect, it } from '@jest/globals';
import { atLeast, autoStep, planWindows, STEPS_MS, windowCount } from './resolution.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('windowCount', () => {
  it('counts the windows a range touches, partial ones at both ends included', () => {
    expect(windowCount(30_000, 150_000, MIN)).toBe(3);
    expect(windowCount(0, MIN - 1, MIN)).toBe(1);
    expect(windowCount(0, MIN, MIN)).toBe(2);
  });
});

describe('autoStep', () => {
  it('picks the finest step at which the range fits in maxPoints windows', () => {
    expect(autoStep(0, 365 * DAY, 2_000)).toBe(6 * HOUR);
    expect(autoStep(0, 7 * DAY, 2_000)).toBe(10 * MIN);
    expect(autoStep(0, DAY, 2_000)).toBe(1 * MIN);
    expect(autoStep(0, HOUR, 2_000)).toBe(2_000);
    expect(autoStep(0, 365 * DAY, 10_000)).toBe(1 * HOUR);
  });

  it('never answers more windows than maxPoints, whatever the range and its alignment', () => {
    for (const span of [1_000, 3_599_999, 7 * DAY + 12_345, 90 * DAY, 365 * DAY, 20 * 365 * DAY]) {
      for (const maxPoints of [10, 100, 2_000, 10_000]) {
        const from = 1_700_000_012_345;
        const w = autoStep(from, from + span, maxPoints);
        expect(windowCount(from, from + span, w)).toBeLessThanOrEqual(maxPoints);
      }
    }
  });

  it('keeps minute-or-wider steps on minute multiples and hour-or-wider steps on hour multiples (the stored tiers)', () => {
    for (const w of STEPS_MS) {
      if (w >= MIN) expect(w % MIN).toBe(0);
      if (w >= HOUR) expect(w % HOUR).toBe(0);
    }
  });

  it('is at least minStepMs', () => {
    expect(autoStep(0, HOUR, 2_000, MIN)).toBe(MIN);
  });

  it('goes past the last step in whole days', () => {
    const w = autoStep(0, 100 * 365 * DAY, 10);
    expect(w % DAY).toBe(0);
    expect(windowCount(0, 100 * 365 * DAY, w)).toBeLessThanOrEqual(10);
  });
});

describe('atLeast', () => {
  it('keeps a width at or above the minimum and widens one below it to the next step', () => {
    expect(atLeast(10_000, 0)).toBe(10_000);
    expect(atLeast(10_000, MIN)).toBe(MIN);
    expect(atLeast(HOUR, MIN)).toBe(HOUR);
  });
});

describe('planWindows', () => {
  it('reads the whole range when its windows fit', () => {
    expect(planWindows(0, 10 * MIN - 1, MIN, 10)).toEqual({ stepMs: MIN, from: 0, to: 10 * MIN - 1, truncated: false });
  });

  it('cuts to the newest maxPoints windows before reading, and says why', () => {
    const p = planWindows(0, 10 * MIN, MIN, 5);
    expect(p).toMatchObject({ stepMs: MIN, from: 6 * MIN, to: 10 * MIN, truncated: true });
    expect(windowCount(p.from, p.to, MIN)).toBe(5);
    expect(p.truncatedReason).toMatch(/11 windows, more than maxPoints 5: the oldest 6 were left out/);
  });
});
