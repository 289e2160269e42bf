import { describe, expect, it } from '@jest/globals';
import { formatHash, hashFromPath, parseHash, pathFromHash, sameFilter } from './hash.js';

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

describe('parseHash and formatHash', () => {
  it('reads the path, the screen and the alert filter', () => {
    expect(parseHash('#/valle/norte?priority=high&q=lana%20sur&view=health')).toEqual({
      path: 'valle/norte',
      view: 'health',
      filter: { priority: 'high', q: 'lana sur' },
      scene: '3d',
    });
    expect(pathFromHash('#/valle/norte?priority=high')).toBe('valle/norte');
  });
  it('ignores unknown keys, empty values and a shelved word it does not know', () => {
    const h = parseHash('#/valle?colour=red&q=&shelved=maybe&state=open');
    expect(h).toEqual({ path: 'valle', view: 'room', filter: { state: 'open' }, scene: '3d' });
    expect(parseHash('#/valle?view=nowhere').view).toBe('room');
    expect(parseHash('#/valle?room=4d').scene).toBe('3d');
  });
  it('round-trips, in a fixed key order, and leaves the default screen and empty values out', () => {
    const filter = { q: 'ñandú & co?', shelved: 'only' as const, priority: 'low', kind: '' };
    const state = { path: 'valle/sur oeste', view: 'room' as const, filter, scene: '3d' as const };
    const hash = formatHash(state);
    expect(hash).toBe('#/valle/sur%20oeste?priority=low&shelved=only&q=%C3%B1and%C3%BA+%26+co%3F');
    expect(parseHash(hash)).toEqual({
      path: 'valle/sur oeste',
      view: 'room',
      filter: { priority: 'low', shelved: 'only', q: 'ñandú & co?' },
      scene: '3d',
    });
    expect(formatHash({ path: 'valle', view: 'health', filter: {}, scene: '3d' })).toBe('#/valle?view=health');
    expect(formatHash({ path: null, view: 'room', filter: {}, scene: '3d' })).toBe('#/');
  });
  it('asks for the 2D room with room=2d, and round-trips it beside the other keys', () => {
    expect(parseHash('#/valle/norte?room=2d')).toEqual({
      path: 'valle/norte',
      view: 'room',
      filter: {},
      scene: '2d',
    });
    const state = { path: 'valle', view: 'health' as const, filter: { q: 'lana' }, scene: '2d' as const };
    expect(formatHash(state)).toBe('#/valle?q=lana&view=health&room=2d');
    expect(parseHash(formatHash(state))).toEqual(state);
  });
  it('compares filters by value', () => {
    expect(sameFilter({ q: 'a', state: '' }, { q: 'a' })).toBe(true);
    expect(sameFilter({ q: 'a' }, { q: 'b' })).toBe(false);
  });
});
