import { describe, expect, it } from '@jest/globals';
import { FEW_MAX, fewAdd, fewGet, fewValues, type FewMap } from './few-map.js';

const keyOf = (v: { id: number }) => v.id;

describe('FewMap', () => {
  it('is the value itself while there is one, and finds it by key', () => {
    const a = { id: 7 };
    const set = fewAdd<number, { id: number }>(undefined, 7, a, keyOf);
    expect(set).toBe(a);
    expect(fewGet(set, 7, keyOf)).toBe(a);
    expect(fewGet(set, 8, keyOf)).toBeUndefined();
    expect([...fewValues(set)]).toEqual([a]);
    expect(fewGet(undefined, 7, keyOf)).toBeUndefined();
    expect([...fewValues<number, { id: number }>(undefined)]).toEqual([]);
  });

  it('is an array from two up to FEW_MAX values and finds each by key', () => {
    let set: FewMap<number, { id: number }> | undefined;
    for (let i = 0; i < FEW_MAX; i++) set = fewAdd(set, i, { id: i }, keyOf);
    expect(Array.isArray(set)).toBe(true);
    for (let i = 0; i < FEW_MAX; i++) expect(fewGet(set, i, keyOf)).toEqual({ id: i });
    expect(fewGet(set, FEW_MAX, keyOf)).toBeUndefined();
  });

  it('becomes a Map past FEW_MAX without losing a value or the insertion order', () => {
    let set: FewMap<number, { id: number }> | undefined;
    for (let i = 0; i < 100; i++) set = fewAdd(set, 1000 - i, { id: 1000 - i }, keyOf);
    expect(set).toBeInstanceOf(Map);
    expect([...fewValues(set)].map((v) => v.id)).toEqual(Array.from({ length: 100 }, (_, i) => 1000 - i));
    expect(fewGet(set, 950, keyOf)).toEqual({ id: 950 });
    expect(fewGet(set, 5, keyOf)).toBeUndefined();
  });
});
