import { afterEach, describe, expect, it } from '@jest/globals';
import { setLanguage } from '../i18n/i18n.js';
import {
  clampRange,
  formatSpan,
  MAX_SPAN_MS,
  maxPointsFor,
  MIN_SPAN_MS,
  nearestPoint,
  presetOf,
  presetLabel,
  presetRange,
  RANGE_PRESETS,
  tickFormatOptions,
  tickFormatter,
} from './chart-range.js';

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;

describe('chart ranges', () => {
  afterEach(() => setLanguage('en'));

  it('offers presets from 15 minutes to a year, each the last span up to now, following the clock', () => {
    expect(RANGE_PRESETS.map(presetLabel)).toEqual(['15 min', '1 h', '6 h', '24 h', '7 d', '30 d', '1 y']);
    expect(presetRange(HOUR, NOW)).toEqual({ from: NOW - HOUR, to: NOW, live: true });
    for (const p of RANGE_PRESETS) expect(presetOf(presetRange(p.ms, NOW))).toBe(p.id);
    expect(presetOf({ from: NOW - 2 * HOUR, to: NOW - HOUR, live: false })).toBeNull();
    expect(presetOf({ from: NOW - 2 * HOUR, to: NOW, live: true })).toBeNull();
  });

  it('holds a zoom to spans of 2 minutes to 366 days, kept centred', () => {
    const narrow = clampRange(NOW - 10 * HOUR, NOW - 10 * HOUR + 1000, NOW);
    expect(narrow.to - narrow.from).toBe(MIN_SPAN_MS);
    expect((narrow.from + narrow.to) / 2).toBe(NOW - 10 * HOUR + 500);
    const wide = clampRange(NOW - 3 * MAX_SPAN_MS, NOW - MAX_SPAN_MS, NOW);
    expect(wide.to - wide.from).toBe(MAX_SPAN_MS);
  });

  it('moves a pan past now back to end now, and calls a range ending now live', () => {
    expect(clampRange(NOW - HOUR + 600_000, NOW + 600_000, NOW)).toEqual({ from: NOW - HOUR, to: NOW, live: true });
    expect(clampRange(NOW - HOUR - 10_000, NOW - 10_000, NOW)).toEqual({
      from: NOW - HOUR - 10_000,
      to: NOW,
      live: true,
    });
    expect(clampRange(NOW - 2 * HOUR, NOW - HOUR, NOW)).toEqual({ from: NOW - 2 * HOUR, to: NOW - HOUR, live: false });
  });

  it('asks about one point a pixel, 100 to 2,000', () => {
    expect(maxPointsFor(437.6)).toBe(438);
    expect(maxPointsFor(20)).toBe(100);
    expect(maxPointsFor(5000)).toBe(2000);
  });

  it('says a span in its largest unit', () => {
    expect(formatSpan(90 * 60_000)).toBe('1.5 h');
    expect(formatSpan(7 * 24 * HOUR)).toBe('7 d');
    expect(formatSpan(120_000)).toBe('2 min');
  });

  it('says spans and preset labels in Spanish, with a decimal comma', () => {
    setLanguage('es');
    expect(formatSpan(90 * 60_000)).toBe('1,5 h');
    expect(RANGE_PRESETS.map(presetLabel)).toEqual(['15 min', '1 h', '6 h', '24 h', '7 d', '30 d', '1 año']);
  });
});

describe('time-axis ticks', () => {
  const at = new Date(Date.UTC(2026, 11, 6, 5, 7, 30));
  it('choose a format by the span: seconds, time of day, day and month, month and year', () => {
    expect(tickFormatOptions(5 * 60_000)).toEqual({ hour: '2-digit', minute: '2-digit', second: '2-digit' });
    expect(tickFormatOptions(15 * 60_000)).toEqual({ hour: '2-digit', minute: '2-digit' });
    expect(tickFormatOptions(24 * HOUR)).toEqual({ hour: '2-digit', minute: '2-digit' });
    expect(tickFormatOptions(7 * 24 * HOUR)).toEqual({ day: 'numeric', month: 'short' });
    expect(tickFormatOptions(30 * 24 * HOUR)).toEqual({ day: 'numeric', month: 'short' });
    expect(tickFormatOptions(365 * 24 * HOUR)).toEqual({ month: 'short', year: 'numeric' });
  });

  it("write the tick in the locale's words and clock", () => {
    const es = (span: number) => tickFormatter(span, 'es-ES', 'UTC')(at);
    const en = (span: number) => tickFormatter(span, 'en-US', 'UTC')(at);
    expect(es(HOUR)).toBe('05:07');
    expect(en(HOUR)).toBe('05:07 AM');
    expect(es(5 * 60_000)).toBe('05:07:30');
    expect(es(7 * 24 * HOUR)).toBe('6 dic');
    expect(en(7 * 24 * HOUR)).toBe('Dec 6');
    expect(es(365 * 24 * HOUR)).toBe('dic 2026');
    expect(en(365 * 24 * HOUR)).toBe('Dec 2026');
  });

  it('finds the point nearest in time, ties to the earlier', () => {
    const pts = [
      { ts: 0, value: 1 },
      { ts: 10, value: 2 },
      { ts: 20, value: 3 },
    ];
    expect(nearestPoint(pts, 6)).toEqual({ ts: 10, value: 2 });
    expect(nearestPoint(pts, 5)).toEqual({ ts: 0, value: 1 });
    expect(nearestPoint(pts, -100)).toEqual({ ts: 0, value: 1 });
    expect(nearestPoint(pts, 100)).toEqual({ ts: 20, value: 3 });
    expect(nearestPoint([], 1)).toBeUndefined();
  });
});
