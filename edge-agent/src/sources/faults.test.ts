import { describe, it, expect } from '@jest/globals';
import { ActiveFault, validateFault } from './faults.js';

describe('validateFault', () => {
  it('accepts each kind in its documented shape', () => {
    expect(validateFault({ kind: 'step', factor: 0.5 })).toBeNull();
    expect(validateFault({ kind: 'drift', slopePerHour: 2, at: 1000, durationMs: 60_000 })).toBeNull();
    expect(validateFault({ kind: 'spike', offset: 50 })).toBeNull();
    expect(validateFault({ kind: 'flatline' })).toBeNull();
    expect(validateFault({ kind: 'dropout', durationMs: 5000 })).toBeNull();
  });

  it('names what is missing or wrong', () => {
    expect(validateFault(null)).toMatch(/object with a kind/);
    expect(validateFault({ kind: 'melt' })).toMatch(/kind must be one of step, drift, spike, flatline, dropout/);
    expect(validateFault({ kind: 'drift' })).toMatch(/slopePerHour/);
    expect(validateFault({ kind: 'dropout' })).toMatch(/durationMs/);
    expect(validateFault({ kind: 'step' })).toMatch(/factor and\/or offset/);
    expect(validateFault({ kind: 'step', factor: Number.NaN })).toMatch(/factor/);
    expect(validateFault({ kind: 'flatline', durationMs: -1 })).toMatch(/durationMs/);
    expect(validateFault({ kind: 'spike', offset: 1, durationMs: 10 })).toMatch(/one sample/);
    expect(validateFault({ kind: 'step', factor: 2, at: 'soon' })).toMatch(/`at`/);
  });
});

describe('ActiveFault', () => {
  it('leaves values alone before it begins and after it ends', () => {
    const f = new ActiveFault({ kind: 'step', at: 100, durationMs: 50, offset: 5 });
    expect(f.apply(99, 10, undefined)).toBe(10);
    expect(f.apply(100, 10, undefined)).toBe(15);
    expect(f.apply(149, 10, undefined)).toBe(15);
    expect(f.isOver(149)).toBe(false);
    expect(f.isOver(150)).toBe(true);
    expect(f.apply(150, 10, undefined)).toBe(10);
  });

  it('begins at the first sample when it has no start time', () => {
    const f = new ActiveFault({ kind: 'drift', slopePerHour: 6 });
    expect(f.apply(1_000_000, 10, undefined)).toBe(10);
    expect(f.apply(1_000_000 + 1_800_000, 10, undefined)).toBe(13); // half an hour at 6/h
  });

  it('spikes exactly one sample', () => {
    const f = new ActiveFault({ kind: 'spike', at: 0, factor: 3 });
    expect(f.apply(10, 2, undefined)).toBe(6);
    expect(f.isOver(11)).toBe(true);
    expect(f.apply(11, 2, undefined)).toBe(2);
  });

  it('flatlines at the last value seen before it began, or at its own value', () => {
    const held = new ActiveFault({ kind: 'flatline', at: 0 });
    expect(held.apply(1, 7, 4)).toBe(4);
    expect(held.apply(2, 9, 7)).toBe(4);
    expect(new ActiveFault({ kind: 'flatline', value: 0 }).apply(1, 7, 4)).toBe(0);
  });

  it('drops readings during a dropout', () => {
    const f = new ActiveFault({ kind: 'dropout', at: 0, durationMs: 10 });
    expect(f.apply(5, 1, 1)).toBeNull();
    expect(f.apply(10, 1, 1)).toBe(1);
  });
});
