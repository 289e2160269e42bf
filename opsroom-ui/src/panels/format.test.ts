import { describe, expect, it } from '@jest/globals';
import { formatAge, formatRatio, formatValue } from './format.js';

describe('formatValue', () => {
  it('groups thousands and keeps up to three decimals', () => {
    expect(formatValue(1234.5678)).toBe('1,234.568');
    expect(formatValue(42)).toBe('42');
  });
  it('keeps three significant digits for tiny values', () => {
    expect(formatValue(0.000123)).toBe('0.000123');
  });
  it('shows a dash for missing or non-finite values', () => {
    expect(formatValue(null)).toBe('—');
    expect(formatValue(undefined)).toBe('—');
    expect(formatValue(Number.NaN)).toBe('—');
  });
});

describe('formatRatio', () => {
  it('shows a ratio as a percentage with one decimal', () => {
    expect(formatRatio(0.8125)).toBe('81.3 %');
    expect(formatRatio(null)).toBe('—');
  });
});

describe('formatAge', () => {
  it('says seconds, minutes or hours ago', () => {
    expect(formatAge(10_000, 22_500)).toBe('13 s ago');
    expect(formatAge(0, 5 * 60_000)).toBe('5 min ago');
    expect(formatAge(0, 3 * 3_600_000)).toBe('3 h ago');
  });
});
