import { describe, expect, it } from '@jest/globals';
import type { AlarmHealthView } from '../data/api.js';
import { duration, healthFigures } from './health-screen.js';

describe('duration', () => {
  it('says seconds, minutes and hours, and a dash for nothing', () => {
    expect(duration(42_000)).toBe('42 s');
    expect(duration(95_000)).toBe('1 min 35 s');
    expect(duration(2 * 3600_000 + 5 * 60_000)).toBe('2 h 5 min');
    expect(duration(null)).toBe('—');
  });
});

describe('healthFigures', () => {
  const h: AlarmHealthView = {
    node: 'v',
    from: 0,
    to: 1,
    hours: 24,
    raises: 240,
    alertsPerHour: 10,
    hourly: [],
    floods: { intervals: 144, flooded: 3, share: 3 / 144, peak: 14 },
    standing: 2,
    top: [],
    chattering: 1,
    shelved: 0,
    open: 5,
    medianAckMs: 90_000,
    medianResolveMs: null,
    children: [],
  };
  it('marks the figures that miss their ISA-18.2 target', () => {
    const f = Object.fromEntries(healthFigures(h).map((x) => [x.key, x]));
    expect(f.rate).toMatchObject({ value: '10.0', over: true });
    expect(f.floods).toMatchObject({ value: '2.1 % (3 of 144; peak 14)', over: true });
    expect(f.standing).toMatchObject({ value: '2', over: false });
    expect(f.ack!.value).toBe('1 min 30 s');
    expect(f.resolve!.value).toBe('—');
  });
});
