import { describe, expect, it } from '@jest/globals';
import { OpsError } from '../errors.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { createServerMetrics } from '../metrics/registry.js';
import { STATE_FAILURE_LOG_EVERY_MS, StateWrites } from './state-writes.js';

function kit() {
  const clock = { t: 1_000_000 };
  const lines: Array<[string, string]> = [];
  const logger: Logger = {
    ...silentLogger,
    error: (_o: unknown, msg?: string) => void lines.push(['error', msg ?? '']),
    info: (_o: unknown, msg?: string) => void lines.push(['info', msg ?? '']),
  } as Logger;
  const metrics = createServerMetrics();
  const failures = metrics.stateSaveFailures;
  const writes = new StateWrites({ now: () => clock.t, logger, failures, describe: () => 'sqlite: state.db' });
  const full = () => {
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  };
  return { clock, lines, metrics, writes, full };
}

describe('StateWrites', () => {
  it('passes a save through and stays healthy', () => {
    const { writes } = kit();
    expect(writes.save('acknowledge', () => 42)).toBe(42);
    expect(writes.health()).toEqual({ ok: true, detail: 'sqlite: state.db' });
  });

  it('turns a failed save into a 503 that says what to do, counts it by operation, shows it until a save works', async () => {
    const { writes, metrics, full, clock } = kit();
    let err: unknown;
    try {
      writes.save('shelve', full);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OpsError);
    expect(err).toMatchObject({ code: 'OPS_ERR_STATE_UNAVAILABLE', statusCode: 503, retryAfterMs: 5000 });
    expect((err as Error).message).toBe(
      'the state database could not save this change, so nothing was changed; retry after Retry-After seconds: ' +
        'shelve not saved (SQLITE_FULL: database or disk is full)',
    );
    clock.t += 1000;
    expect(() => writes.save('deadlines', full)).toThrow(OpsError);
    expect(await metrics.stateSaveFailures.value({ operation: 'shelve' })).toBe(1);
    expect(await metrics.stateSaveFailures.value({ operation: 'deadlines' })).toBe(1);
    expect(await metrics.registry.render()).toMatch(/opsroom_state_save_failures_total\{operation="deadlines"\} 1/);
    expect(writes.health()).toEqual({
      ok: false,
      detail:
        'sqlite: state.db: saves failing since 1970-01-01T00:16:40.000Z (2 failed, ' +
        'last: deadlines: SQLITE_FULL: database or disk is full); actions answer 503, timers retry',
    });
    writes.save('deadlines', () => undefined);
    expect(writes.health().ok).toBe(true);
  });

  it('logs the first failure of an operation, at most one line a minute while it keeps failing, the recovery', () => {
    const { writes, full, clock, lines } = kit();
    for (let i = 0; i < 30; i++) {
      expect(() => writes.save('deadlines', full)).toThrow();
      clock.t += 1000; // a timer every second
    }
    expect(lines).toEqual([['error', 'state database: a save failed; nothing was changed']]);
    clock.t += STATE_FAILURE_LOG_EVERY_MS;
    expect(() => writes.save('deadlines', full)).toThrow();
    expect(() => writes.save('reminders', full)).toThrow();
    expect(lines.filter(([l]) => l === 'error')).toHaveLength(3);
    writes.save('deadlines', () => undefined);
    expect(lines.at(-1)).toEqual(['info', 'state database: saving works again']);
  });
});
