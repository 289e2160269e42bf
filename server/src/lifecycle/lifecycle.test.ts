import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Lifecycle, Ticker, type Component } from './lifecycle.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('Lifecycle', () => {
  it('stops what started in reverse order, once, and goes on past a failing stop', async () => {
    const order: string[] = [];
    const warned: string[] = [];
    const life = new Lifecycle({ ...quiet, warn: (o: object) => warned.push((o as { component: string }).component) });
    const comp = (name: string, failStop = false): Component => ({
      name,
      start: () => void order.push(`start ${name}`),
      stop: () => {
        order.push(`stop ${name}`);
        if (failStop) throw new Error('nope');
      },
    });
    life.own('lock', { release: () => order.push('stop lock') }, (l) => l.release());
    await life.start(comp('store', true));
    await life.start(comp('broker'));
    expect(life.names()).toEqual(['lock', 'store', 'broker']);
    await Promise.all([life.stop(), life.stop()]);
    await life.stop();
    expect(order).toEqual(['start store', 'start broker', 'stop broker', 'stop store', 'stop lock']);
    expect(warned).toEqual(['store']);
  });

  it('does not record a component whose start failed', async () => {
    const life = new Lifecycle();
    const bad: Component = {
      name: 'bad',
      start: () => {
        throw new Error('port in use');
      },
      stop: () => {
        throw new Error('must not be called');
      },
    };
    await expect(life.start(bad)).rejects.toThrow('port in use');
    expect(life.names()).toEqual([]);
  });
});

describe('Ticker', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('ticks at start when asked, then every period until stopped', () => {
    let ticks = 0;
    const t = new Ticker({ name: 'escalation', everyMs: 1000, tickAtStart: true, tick: () => void ticks++ });
    t.start();
    expect(ticks).toBe(1);
    jest.advanceTimersByTime(3000);
    expect(ticks).toBe(4);
    t.stop();
    jest.advanceTimersByTime(3000);
    expect(ticks).toBe(4);
  });

  it('logs a tick that throws and runs the next one: a timer never stops the process', () => {
    const errors: string[] = [];
    let ticks = 0;
    const t = new Ticker({
      name: 'silence watch',
      everyMs: 100,
      logger: { ...quiet, error: (_o: object, msg: string) => errors.push(msg) },
      tick: () => {
        ticks++;
        if (ticks === 1) throw new Error('disk full');
      },
    });
    t.start();
    jest.advanceTimersByTime(300);
    t.stop();
    expect(ticks).toBe(3);
    expect(errors).toEqual(['silence watch: a tick failed; it runs again on the next one']);
  });
});
