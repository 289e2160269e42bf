import { describe, it, expect } from '@jest/globals';
import { parseJsonPath, valueAt } from './json-path.js';

describe('parseJsonPath', () => {
  it('reads dotted keys, indexes and quoted keys, with or without $', () => {
    expect(parseJsonPath('$.a.b')).toEqual(['a', 'b']);
    expect(parseJsonPath('a.b[0]')).toEqual(['a', 'b', 0]);
    expect(parseJsonPath('$["room 1"].t')).toEqual(['room 1', 't']);
    expect(parseJsonPath("data[2]['x.y']")).toEqual(['data', 2, 'x.y']);
  });

  it('refuses paths it cannot read, saying how to write one', () => {
    expect(() => parseJsonPath('a..b')).toThrow(/expected a key after "\."/);
    expect(() => parseJsonPath('a[x]')).toThrow(/expected \[number\] or \["key"\].*write e\.g\. \$\.a\.b/);
    expect(() => parseJsonPath('$')).toThrow(/selects nothing/);
  });
});

describe('valueAt', () => {
  it('follows the steps and is undefined for a missing one', () => {
    const doc = { a: { b: [7, { c: 'x' }] } };
    expect(valueAt(doc, ['a', 'b', 0])).toBe(7);
    expect(valueAt(doc, ['a', 'b', 1, 'c'])).toBe('x');
    expect(valueAt(doc, ['a', 'z'])).toBeUndefined();
    expect(valueAt(doc, ['a', 0])).toBeUndefined();
    expect(valueAt(doc, ['a', 'b', 'length'])).toBeUndefined();
  });
});
