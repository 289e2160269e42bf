import { describe, expect, it } from '@jest/globals';
import { toColumns } from '@opsroom/models';
import { nextTypical, silenceAfterMs, SilenceWatch } from './silence-watch.js';

const T0 = 1_700_000_000_000;
const NODE = 'r/a/a1';

/** A watch on a clock the test moves, with `n` readings of one series `every` ms apart already seen. */
function watchWith(n: number, every = 1000, opts: { minSilenceMs?: number } = {}) {
  const clock = { t: T0 };
  const watch = new SilenceWatch({ now: () => clock.t, ...opts });
  const send = (indicator = 'output', device = 'a1-plc', node = NODE) =>
    watch.observe(node, indicator, device, clock.t);
  for (let i = 0; i < n; i++) {
    if (i > 0) clock.t += every;
    send();
  }
  return { clock, watch, send };
}

describe('nextTypical', () => {
  it('starts at the first gap and follows an exponentially weighted mean', () => {
    expect(nextTypical(NaN, 1000)).toBe(1000);
    expect(nextTypical(1000, 2000)).toBe(1062.5);
  });

  it('clips a long gap at four typical intervals', () => {
    expect(nextTypical(1000, 90_000)).toBe(1187.5);
  });
});

describe('silenceAfterMs', () => {
  it('is ten typical intervals, never less than 15 s', () => {
    expect(silenceAfterMs(1000)).toBe(15_000);
    expect(silenceAfterMs(2000)).toBe(20_000);
    expect(silenceAfterMs(NaN)).toBe(15_000);
  });
});

describe('SilenceWatch', () => {
  it('reports a series silent once nothing arrived for max(10 intervals, 15 s)', () => {
    const { clock, watch } = watchWith(30);
    const last = clock.t;
    clock.t += 15_000;
    expect(watch.scan()).toEqual([]);
    clock.t += 1;
    expect(watch.scan()).toEqual([
      {
        node: NODE,
        indicator: 'output',
        deviceId: 'a1-plc',
        lastTs: last,
        silentForMs: 15_001,
        typicalIntervalMs: 1000,
      },
    ]);
  });

  it('waits for ten typical intervals when they are longer than 15 s', () => {
    const { clock, watch } = watchWith(30, 5000);
    clock.t += 50_000;
    expect(watch.scan()).toEqual([]);
    clock.t += 1;
    expect(watch.scan().map((r) => r.typicalIntervalMs)).toEqual([5000]);
  });

  it('says nothing about a series with fewer than 30 readings', () => {
    const { clock, watch } = watchWith(29);
    clock.t += 3_600_000;
    expect(watch.scan()).toEqual([]);
  });

  it('reports each silence once, then when the series resumes, then a new silence again', () => {
    const { clock, watch, send } = watchWith(30);
    clock.t += 20_000;
    expect(watch.scan()).toHaveLength(1);
    clock.t += 60_000;
    expect(watch.scan()).toEqual([]);
    const resumed = send();
    expect(resumed).toMatchObject({ node: NODE, indicator: 'output', deviceId: 'a1-plc', silentForMs: 80_000 });
    expect(send()).toBeNull();
    clock.t += 20_000;
    expect(watch.scan()).toHaveLength(1);
  });

  it('keeps each (node, indicator, device) apart: one silent metric of a device that still sends others', () => {
    const { clock, watch } = watchWith(0);
    for (let i = 0; i < 40; i++) {
      watch.observe(NODE, 'output', 'a1-plc', clock.t);
      if (i < 30) watch.observe(NODE, 'energy', 'a1-plc', clock.t);
      watch.observe(NODE, 'output', 'a1-other', clock.t);
      clock.t += 1000;
    }
    clock.t += 6_000; // energy quiet for 16 s, the others for 6 s
    expect(watch.scan().map((r) => `${r.deviceId}/${r.indicator}`)).toEqual(['a1-plc/energy']);
    expect(watch.size).toBe(3);
  });

  it('learns the interval from reading timestamps: a burst of buffered readings does not shorten it', () => {
    const clock = { t: T0 };
    const watch = new SilenceWatch({ now: () => clock.t });
    // 40 readings 2 s apart by their timestamps, all arriving in one instant (an outbox draining).
    for (let i = 0; i < 40; i++) watch.observe(NODE, 'output', 'a1-plc', T0 - 80_000 + 2000 * i);
    clock.t += 20_000;
    expect(watch.scan()).toEqual([]);
    clock.t += 1;
    expect(watch.scan()[0]).toMatchObject({ typicalIntervalMs: 2000, silentForMs: 20_001, lastTs: T0 - 2000 });
  });

  it('a past dropout barely moves the typical interval, so the next one is seen as soon', () => {
    const { clock, watch, send } = watchWith(60);
    clock.t += 90_000;
    expect(watch.scan()).toHaveLength(1);
    send();
    for (let i = 0; i < 30; i++) {
      clock.t += 1000;
      send();
    }
    clock.t += 15_001;
    expect(watch.scan()).toHaveLength(1);
  });

  it('ignores duplicate and out-of-order timestamps when learning the interval', () => {
    const clock = { t: T0 };
    const watch = new SilenceWatch({ now: () => clock.t });
    for (let i = 0; i < 40; i++) {
      watch.observe(NODE, 'output', 'a1-plc', T0 + 1000 * i);
      watch.observe(NODE, 'output', 'a1-plc', T0 + 1000 * i); // duplicate
      watch.observe(NODE, 'output', 'a1-plc', T0 + 1000 * i - 500); // late
    }
    clock.t += 16_000;
    expect(watch.scan()[0]!.typicalIntervalMs).toBe(1000);
  });

  it('takes the readings of a columnar batch, skipping metrics that are not indicators', () => {
    const clock = { t: T0 };
    const watch = new SilenceWatch({ now: () => clock.t });
    for (let i = 0; i < 30; i++) {
      const cols = toColumns([
        { metric: 'output', value: 1, ts: clock.t },
        { metric: 'agent_cpu', value: 1, ts: clock.t },
      ]);
      expect(watch.observeBatch({ ...cols, node: NODE, deviceId: 'a1-plc' }, (m) => m === 'output')).toEqual([]);
      clock.t += 1000;
    }
    clock.t += 15_000;
    expect(watch.scan().map((r) => r.indicator)).toEqual(['output']);
    const resumed = watch.observeBatch({
      ...toColumns([{ metric: 'output', value: 1, ts: clock.t }]),
      node: NODE,
      deviceId: 'a1-plc',
    });
    expect(resumed).toEqual([expect.objectContaining({ indicator: 'output', silentForMs: 16_000 })]);
  });

  it('starts a series afresh when the model binds its device to another node', () => {
    const { clock, watch } = watchWith(30);
    watch.observe('r/b/b1', 'output', 'a1-plc', clock.t);
    clock.t += 60_000;
    expect(watch.scan()).toEqual([]);
  });

  it('tracks at most maxSeries series and can forget a device', () => {
    const watch = new SilenceWatch({ now: () => T0, maxSeries: 2 });
    watch.observe(NODE, 'a', 'd1', T0);
    watch.observe(NODE, 'b', 'd1', T0);
    watch.observe(NODE, 'c', 'd2', T0);
    expect(watch.size).toBe(2);
    watch.forgetDevice('d1');
    expect(watch.size).toBe(0);
    watch.observe(NODE, 'c', 'd2', T0);
    expect(watch.size).toBe(1);
  });

  it("keeps thousands of series apart as its table grows, and a forgotten device's rows start afresh when reused", () => {
    const clock = { t: T0 };
    const watch = new SilenceWatch({ now: () => clock.t });
    const devices = Array.from({ length: 1500 }, (_, i) => `d${i}`);
    for (let k = 0; k < 30; k++) {
      for (const d of devices) {
        watch.observe(NODE, 'output', d, clock.t);
        if (d !== 'd1499') watch.observe(NODE, 'energy', d, clock.t);
      }
      clock.t += 1000;
    }
    expect(watch.size).toBe(2999);
    clock.t += 15_000;
    // Every series is quiet now; each is reported once, with its own names.
    const silent = watch.scan();
    expect(silent).toHaveLength(2999);
    expect(new Set(silent.map((r) => `${r.deviceId}/${r.indicator}`)).size).toBe(2999);
    expect(silent.find((r) => r.deviceId === 'd1499')).toMatchObject({ indicator: 'output', typicalIntervalMs: 1000 });
    watch.forgetDevice('d7');
    expect(watch.size).toBe(2997);
    // A new device takes a freed row: not silent, no readings yet, so not reported however long it is quiet.
    watch.observe(NODE, 'output', 'fresh', clock.t);
    expect(watch.size).toBe(2998);
    clock.t += 3_600_000;
    expect(watch.scan()).toEqual([]);
  });
});
