import { describe, expect, it } from '@jest/globals';
import { hashFromPath, pathFromHash } from './hash.js';

describe('pathFromHash', () => {
  it('reads the focused path from a deep link', () => {
    expect(pathFromHash('#/valle/norte')).toBe('valle/norte');
    expect(pathFromHash('#valle')).toBe('valle');
  });
  it('ignores trailing and doubled slashes', () => {
    expect(pathFromHash('#/valle//norte/')).toBe('valle/norte');
  });
  it('is null for an empty hash or a malformed escape', () => {
    expect(pathFromHash('')).toBeNull();
    expect(pathFromHash('#/')).toBeNull();
    expect(pathFromHash('#/valle/%E0%A4%A')).toBeNull();
  });
});

describe('hashFromPath', () => {
  it('encodes each segment and round-trips through pathFromHash', () => {
    expect(hashFromPath('valle/sur oeste')).toBe('#/valle/sur%20oeste');
    expect(pathFromHash(hashFromPath('valle/sur oeste/ñandú'))).toBe('valle/sur oeste/ñandú');
  });
  it('is #/ without a path', () => {
    expect(hashFromPath(null)).toBe('#/');
  });
});
