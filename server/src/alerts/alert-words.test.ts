import { describe, expect, it } from '@jest/globals';
import { describeAlert, formatNumber } from './alert-words.js';

const at = Date.UTC(2026, 11, 5, 12, 3, 5);
const base = {
  value: 160,
  forecast: { mean: 100, lower: 94, upper: 106 },
  probability: 0.97,
  raisedAt: at + 4000,
  since: at,
};

describe('describeAlert', () => {
  it('says what changed, by how much against the forecast, how sure (one number) and since when', () => {
    expect(describeAlert({ ...base, kind: 'step' }, { name: 'Output', unit: 'u' })).toBe(
      'Output jumped to a new level of 160 u: 60 u above the expected 100 u (usual range 94 to 106). 97 % sure. Since 12:03:05 UTC, 5 Dec 2026.',
    );
  });

  it('words each kind in plain language and never shows the score', () => {
    const words = (kind: 'change' | 'slope' | 'transient' | 'flatline' | 'dropout', value = 40) =>
      describeAlert({ ...base, value, kind }, { name: 'Energy', unit: 'kWh' });
    expect(words('transient')).toMatch(/^Energy had one outlying reading of 40 kWh: 60 kWh below the expected 100 kWh/);
    expect(words('slope')).toMatch(/^Energy started falling steadily and is now 40 kWh/);
    expect(words('change')).toMatch(/changed suddenly to 40 kWh/);
    expect(words('flatline', 100)).toMatch(
      /^Energy stopped varying: the same reading, 100 kWh, again and again\. 97 % sure/,
    );
    expect(words('dropout', 90)).toMatch(/^Energy stopped arriving: nothing for 90 s\./);
    for (const k of ['change', 'slope', 'transient', 'flatline', 'dropout'] as const)
      expect(words(k)).not.toMatch(/score/);
  });

  it('falls back to the raise time without a reading time, and names an index series without the unit', () => {
    expect(
      describeAlert(
        {
          ...base,
          since: undefined,
          kind: 'step',
          series: 'productivity',
          value: 0.6,
          forecast: { mean: 0.8, lower: 0.75, upper: 0.85 },
        },
        { name: 'Output', unit: 'u' },
      ),
    ).toBe(
      'Output productivity dropped to a new level of 0.6: 0.2 below the expected 0.8 (usual range 0.75 to 0.85). 97 % sure. Since 12:03:09 UTC, 5 Dec 2026.',
    );
  });
});

describe('formatNumber', () => {
  it('keeps four significant digits and uses exponents only for the very large or small', () => {
    expect(formatNumber(1234.5678)).toBe('1,235');
    expect(formatNumber(0.012345)).toBe('0.012');
    expect(formatNumber(1e12 + 3)).toBe('1.000e+12');
    expect(formatNumber(0)).toBe('0');
  });
});
