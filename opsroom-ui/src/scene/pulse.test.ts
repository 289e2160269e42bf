import { describe, expect, it } from '@jest/globals';
import { PULSE, pulseRate } from './pulse.js';

describe('pulseRate', () => {
  it('does not pulse a normal node', () => {
    expect(pulseRate('normal', 5_000, 0, 60_000)).toBe(0);
  });

  it('beats faster as the deadline of an alert nears', () => {
    expect(pulseRate('alert', 120_000, 0, 120_000)).toBeCloseTo(PULSE.alertSlowest);
    expect(pulseRate('alert', 60_000, 0, 120_000)).toBeCloseTo(1.75);
    expect(pulseRate('alert', 1, 0, 120_000)).toBeCloseTo(PULSE.alertFastest, 3);
    expect(pulseRate('alert', 30_000, 0, 120_000)).toBeGreaterThan(pulseRate('alert', 90_000, 0, 120_000));
  });

  it('beats at the crisis rate in crisis or once overdue', () => {
    expect(pulseRate('crisis', null, 0, 60_000)).toBe(PULSE.crisis);
    expect(pulseRate('alert', 1_000, 2_000, 60_000)).toBe(PULSE.crisis);
  });

  it('beats slowly for an alert without a deadline', () => {
    expect(pulseRate('alert', null, 0, 60_000)).toBe(PULSE.alertSlowest);
  });
});
