import { describe, it, expect } from '@jest/globals';
import { didYouMean, didYouMeanSuffix, editDistance } from './did-you-mean.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('rolup', 'rollup')).toBe(1);
    expect(editDistance('names', 'name')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('counts a swap of two adjacent characters as one edit', () => {
    expect(editDistance('chidlren', 'children')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
  });

  it('is symmetric', () => {
    expect(editDistance('correction_window', 'corection_windows')).toBe(
      editDistance('corection_windows', 'correction_window'),
    );
  });
});

describe('didYouMean', () => {
  const keys = ['id', 'name', 'correction_window', 'weights', 'levels', 'children'];

  it('suggests the closest candidate for a likely typo', () => {
    expect(didYouMean('nmae', keys)).toBe('name');
    expect(didYouMean('chidlren', keys)).toBe('children');
    expect(didYouMean('correction_windows', keys)).toBe('correction_window');
    expect(didYouMean('wieghts', keys)).toBe('weights');
  });

  it('ignores case', () => {
    expect(didYouMean('Name', keys)).toBe('name');
  });

  it('suggests nothing when no candidate is close', () => {
    expect(didYouMean('colour', keys)).toBeUndefined();
    expect(didYouMean('xy', keys)).toBeUndefined();
    expect(didYouMean('anything', [])).toBeUndefined();
  });

  it('allows fewer edits for short words than for long ones', () => {
    expect(didYouMean('ix', ['id'])).toBe('id');
    expect(didYouMean('xx', ['id'])).toBeUndefined();
    expect(didYouMean('potentialty', ['potentiality'])).toBe('potentiality');
  });

  it('formats a message suffix, empty when there is nothing to suggest', () => {
    expect(didYouMeanSuffix('summ', ['sum', 'mean'])).toBe('; did you mean "sum"?');
    expect(didYouMeanSuffix('median', ['sum', 'max'])).toBe('');
  });
});
