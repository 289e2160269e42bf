import { describe, expect, it } from '@jest/globals';
import type { Reading } from '@opsroom/models';
import { silentLogger, type Logger } from '../log/logger.js';
import { MemoryOutbox } from '../outbox/memory-outbox.js';
import type { Source } from '../sources/source.js';
import { Sampler } from './sampler.js';

const T0 = Date.UTC(2026, 11, 5, 12);

function recordingLogger(): Logger & { lines: Array<{ level: string; msg: string }> } {
  const lines: Array<{ level: string; msg: string }> = [];
  const at = (level: string) => (_obj: unknown, msg?: string) => void lines.push({ level, msg: msg ?? '' });
  return { ...silentLogger, lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function sampler(source: Source, opts: { now?: () => number; outbox?: MemoryOutbox; logger?: Logger } = {}) {
  const outbox = opts.outbox ?? new MemoryOutbox();
  let accepted = 0;
  const s = new Sampler({
    slots: [{ name: 'plc', source, intervalMs: 1000 }],
    outbox,
    deviceId: 'unit-1',
    logger: opts.logger ?? silentLogger,
    now: opts.now ?? (() => T0),
    onAccepted: () => accepted++,
  });
  return { s, outbox, accepted: () => accepted };
}

describe('Sampler', () => {
  it('puts what the source gives into the outbox, stamped by the injected clock, and says so once per sample', () => {
    let clock = T0;
    const seen: number[] = [];
    const source: Source = {
      id: 'sim',
      metrics: ['output'],
      sample: (t) => (seen.push(t), [{ metric: 'output', value: 1, ts: t }]),
    };
    const { s, outbox, accepted } = sampler(source, { now: () => clock });
    s.tick(0);
    clock += 1000;
    s.tick(0);
    expect(seen).toEqual([T0, T0 + 1000]);
    expect(outbox.peek(10).readings.map((r) => r.ts)).toEqual([T0, T0 + 1000]);
    expect(accepted()).toBe(2);
    expect(s.counters()).toEqual({ sampled: 2, rejected: 0, sourceErrors: 0 });
    expect(s.statuses()[0]).toMatchObject({ name: 'plc', id: 'sim', readings: 2, lastSampleAt: T0 + 1000 });
  });

  it('refuses bad metric ids and non-finite values, counts them, keeps the good ones of the same sample', () => {
    const bad: Reading[] = [
      { metric: 'output', value: 1, ts: T0 },
      { metric: 'no spaces allowed', value: 1, ts: T0 },
      { metric: 'energy', value: Number.NaN, ts: T0 },
      { metric: 'energy', value: 2, ts: Number.POSITIVE_INFINITY },
    ];
    const { s, outbox } = sampler({ id: 'x', metrics: [], sample: () => bad });
    s.tick(0);
    expect(outbox.depth()).toBe(1);
    expect(s.counters()).toEqual({ sampled: 1, rejected: 3, sourceErrors: 0 });
  });

  it('a failing source is counted every time but logged once per distinct message, and retried', () => {
    let n = 0;
    const log = recordingLogger();
    const source: Source = {
      id: 'modbus',
      metrics: ['output'],
      sample: () => {
        n++;
        if (n <= 3) throw new Error('connection refused');
        if (n === 4) throw new Error('timed out');
        return [{ metric: 'output', value: n, ts: T0 }];
      },
    };
    const { s, outbox } = sampler(source, { logger: log });
    for (let i = 0; i < 5; i++) s.tick(0);
    expect(s.counters().sourceErrors).toBe(4);
    expect(log.lines.filter((l) => l.level === 'error')).toHaveLength(2);
    expect(s.statuses()[0]).toMatchObject({ errors: 4, lastError: 'timed out', readings: 1 });
    expect(outbox.depth()).toBe(1);
  });

  it('never overlaps a slow source: a tick while its sample is pending is skipped and counted', async () => {
    let release: (rs: Reading[]) => void = () => undefined;
    let calls = 0;
    const source: Source = {
      id: 'http',
      metrics: ['output'],
      sample: () => (calls++, new Promise<Reading[]>((r) => (release = r))),
    };
    const { s, outbox } = sampler(source);
    s.tick(0);
    s.tick(0);
    s.tick(0);
    expect(calls).toBe(1);
    expect(s.statuses()[0]!.skipped).toBe(2);
    release([{ metric: 'output', value: 5, ts: T0 }]);
    await Promise.resolve();
    expect(outbox.depth()).toBe(1);
    s.tick(0);
    expect(calls).toBe(2);
  });

  it('after stop, nothing is sampled and a pending sample is dropped when it settles', async () => {
    let release: (rs: Reading[]) => void = () => undefined;
    const source: Source = {
      id: 'http',
      metrics: ['output'],
      sample: () => new Promise<Reading[]>((r) => (release = r)),
    };
    const { s, outbox } = sampler(source);
    s.tick(0);
    s.stop();
    release([{ metric: 'output', value: 5, ts: T0 }]);
    await Promise.resolve();
    s.tick(0);
    expect(outbox.depth()).toBe(0);
  });

  it('an outbox that fails loses that sample (counted as rejected, logged) and nothing else', () => {
    const outbox = new MemoryOutbox();
    const log = recordingLogger();
    const { s } = sampler(
      { id: 'sim', metrics: ['output'], sample: (t) => [{ metric: 'output', value: 1, ts: t }] },
      { outbox, logger: log },
    );
    outbox.close();
    s.tick(0);
    expect(s.counters()).toEqual({ sampled: 0, rejected: 1, sourceErrors: 0 });
    expect(log.lines.some((l) => l.level === 'error' && /outbox/.test(l.msg))).toBe(true);
  });
});
