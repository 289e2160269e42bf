import { describe, it, expect } from '@jest/globals';
import { NARROW_METRICS, NO_PAIR, WriterCache } from './writer-cache.js';

describe('WriterCache', () => {
  it('finds a series it was given by node and metric, and its SQLite id by slot', () => {
    const c = new WriterCache();
    expect(c.seriesSlot('a', 'temp')).toBe(-1);
    const s = c.addSeries('a', 'temp', 7);
    const t = c.addSeries('a', 'rpm', 9);
    const u = c.addSeries('b', 'temp', 11);
    expect([s, t, u]).toEqual([0, 1, 2]);
    expect(c.seriesSlot('a', 'temp')).toBe(s);
    expect(c.seriesSlot('a', 'rpm')).toBe(t);
    expect(c.seriesSlot('b', 'temp')).toBe(u);
    expect(c.seriesSlot('b', 'rpm')).toBe(-1);
    expect(c.seriesId(u)).toBe(11);
    expect(c.seriesCount).toBe(3);
  });

  it('keeps series of metrics beyond the narrow ordinals apart per node', () => {
    const c = new WriterCache();
    for (let m = 0; m < NARROW_METRICS + 5; m++) c.addSeries('n', `m${m}`, 100 + m);
    c.addSeries('o', `m${NARROW_METRICS + 2}`, 5);
    expect(c.seriesSlot('n', `m${NARROW_METRICS + 2}`)).toBe(NARROW_METRICS + 2);
    expect(c.seriesId(c.seriesSlot('o', `m${NARROW_METRICS + 2}`))).toBe(5);
    expect(c.seriesSlot('o', `m${NARROW_METRICS + 3}`)).toBe(-1);
    expect(c.seriesSlot('o', 'm0')).toBe(-1);
    expect(c.seriesId(c.seriesSlot('n', 'm0'))).toBe(100);
  });

  it('gives the first device of a series the series slot and further devices extra handles', () => {
    const c = new WriterCache();
    const s = c.addSeries('a', 'temp', 7);
    expect(c.findPair(s, 3)).toBe(NO_PAIR);
    const h1 = c.addPair(s, 3);
    expect(h1).toBe(s);
    expect(c.findPair(s, 4)).toBe(NO_PAIR);
    const h2 = c.addPair(s, 4);
    expect(h2).toBeLessThan(0);
    expect(c.findPair(s, 3)).toBe(h1);
    expect(c.findPair(s, 4)).toBe(h2);
    expect([c.pairSeries(h2), c.pairDevice(h2), c.pairDevice(h1)]).toEqual([7, 4, 3]);
  });

  it('holds a mark, its epoch and a run index per pair, unknown at first', () => {
    const c = new WriterCache();
    const s = c.addSeries('a', 'temp', 7);
    const h1 = c.addPair(s, 3);
    const h2 = c.addPair(s, 4);
    expect([c.mark(h1), c.markEpoch(h1), c.run(h1), c.mark(h2), c.markEpoch(h2), c.run(h2)]).toEqual([
      -1, -1, -1, -1, -1, -1,
    ]);
    c.setMark(h1, 1000, 2);
    c.setMark(h2, 2000, 3);
    c.setRun(h2, 5);
    expect([c.mark(h1), c.markEpoch(h1), c.mark(h2), c.markEpoch(h2), c.run(h1), c.run(h2)]).toEqual([
      1000, 2, 2000, 3, -1, 5,
    ]);
  });

  it('grows past the first column capacity without losing entries', () => {
    const c = new WriterCache();
    for (let i = 0; i < 1000; i++) {
      const s = c.addSeries(`node-${i}`, 'temp', i + 1);
      c.setMark(c.addPair(s, 1), i * 10, 0);
    }
    const s = c.seriesSlot('node-500', 'temp');
    expect(c.seriesId(s)).toBe(501);
    expect(c.mark(c.findPair(s, 1))).toBe(5000);
  });

  it('caches device ids by name', () => {
    const c = new WriterCache();
    expect(c.deviceId('d')).toBeUndefined();
    c.addDevice('d', 4);
    expect(c.deviceId('d')).toBe(4);
  });

  it('forgets series, pairs and devices and moves the epoch on clear', () => {
    const c = new WriterCache();
    const s = c.addSeries('a', 'temp', 7);
    c.addPair(s, 3);
    c.addPair(s, 4);
    c.addDevice('d', 3);
    const epoch = c.epoch;
    c.clear();
    expect(c.epoch).toBe(epoch + 1);
    expect(c.seriesSlot('a', 'temp')).toBe(-1);
    expect(c.deviceId('d')).toBeUndefined();
    const again = c.addSeries('a', 'temp', 8);
    expect(again).toBe(0);
    expect(c.findPair(again, 3)).toBe(NO_PAIR);
    expect(c.findPair(again, 4)).toBe(NO_PAIR);
    expect(c.markEpoch(c.addPair(again, 4))).toBe(-1);
  });
});
