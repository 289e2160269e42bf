import { describe, expect, it } from '@jest/globals';
import { countdownLevel, formatCountdown } from './countdown.js';

describe('formatCountdown', () => {
  it('shows minutes and seconds under an hour', () => {
    expect(formatCountdown(125_400, 0)).toBe('2:06');
    expect(formatCountdown(59_000, 0)).toBe('0:59');
  });

  it('adds hours from an hour on', () => {
    expect(formatCountdown(3_725_000, 0)).toBe('1:02:05');
  });

  it('rounds the time left up, so 0:00 shows only at the deadline', () => {
    expect(formatCountdown(1_000, 999)).toBe('0:01');
    expect(formatCountdown(1_000, 1_000)).toBe('0:00');
  });

  it('counts up with "overdue" once the deadline has passed', () => {
    expect(formatCountdown(0, 12_000)).toBe('overdue 0:12');
    expect(formatCountdown(0, 3_600_500)).toBe('overdue 1:00:00');
  });

  it('shows a dash without a deadline', () => {
    expect(formatCountdown(null, 0)).toBe('—');
  });
});

describe('countdownLevel', () => {
  it('is soon under a minute or a fifth of the window, overdue past the deadline, ok otherwise', () => {
    expect(countdownLevel(30_000, 0, 600_000)).toBe('soon');
    expect(countdownLevel(100_000, 0, 600_000)).toBe('soon');
    expect(countdownLevel(200_000, 0, 600_000)).toBe('ok');
    expect(countdownLevel(0, 1, 600_000)).toBe('overdue');
    expect(countdownLevel(null, 0, 600_000)).toBe('none');
  });
});
