import { growColumn } from './grow-column.js';

/** Metric ordinals below this index a node's small array; higher ones a Map per metric (node -> slot). */
export const NARROW_METRICS = 32;

/** What findPair returns for a (series, device) the cache does not know. */
export const NO_PAIR = -0x80000000;

/**
 * The SQLite writer's caches of one connection (issue 10's memory row: ~50 B per series instead
 * of ~300 B of objects), as a struct of arrays.
 *
 * - Series: (node, metric) -> a dense slot of this cache (not the SQLite id, which it stores, so
 *   any id works). Metric names are interned to small ordinals; a node maps to a plain array of
 *   slot + 1 by ordinal (0 or a hole: none), sized to the metrics known when it was made.
 * - Pairs, one per (series, device) that wrote: the first device of a series lives in the
 *   series' own slot (handle = slot >= 0); the rare further devices in extra slots found through a
 *   side Map (handle = ~extra slot < 0). Each pair has a high-water mark, the epoch it was read
 *   in, and the index of its run in the current write (-1 outside writes).
 * - Devices: name -> SQLite id in a Map.
 *
 * Ids and slots must fit in an int32 (SQLite assigns them densely from 1).
 *
 * Example: c.addSeries('a', 'temp', 7) -> 0; c.seriesSlot('a', 'temp') -> 0; c.seriesId(0) -> 7;
 * c.addPair(0, 3) -> 0 (first device); c.addPair(0, 4) -> ~0 = -1 (an extra); c.pairDevice(-1) -> 4.
 */
export class WriterCache {
  /**
   * PRAGMA data_version last seen, and the epoch marks are valid in (moves when another connection committed or a write
   * failed).
   */
  dataVersion = 0;
  epoch = 0;

  private readonly metricOrdinals = new Map<string, number>();
  private nodes = new Map<string, number[]>();
  private wide: Array<Map<string, number> | undefined> = [];
  private devices = new Map<string, number>();
  private extras = new Map<number, Map<number, number>>();

  private slots = 0;
  private sid = new Int32Array(0);
  private dev0 = new Int32Array(0);
  private hwm0 = new Float64Array(0);
  private ep0 = new Int32Array(0);
  private run0 = new Int32Array(0);

  private extraCount = 0;
  private exSlot = new Int32Array(0);
  private exDev = new Int32Array(0);
  private exHwm = new Float64Array(0);
  private exEp = new Int32Array(0);
  private exRun = new Int32Array(0);

  /** Series in the cache. */
  get seriesCount(): number {
    return this.slots;
  }

  /** Slot of the series (node, metric), or -1 when not cached. */
  seriesSlot(node: string, metric: string): number {
    const m = this.metricOrdinals.get(metric);
    if (m === undefined) return -1;
    if (m < NARROW_METRICS) {
      const slots = this.nodes.get(node);
      const s = slots === undefined ? undefined : slots[m];
      return s === undefined || s === 0 ? -1 : s - 1;
    }
    return this.wide[m - NARROW_METRICS]?.get(node) ?? -1;
  }

  /** Caches series (node, metric) (not cached yet) under SQLite id `id`; returns its slot. */
  addSeries(node: string, metric: string, id: number): number {
    const s = this.slots++;
    this.sid = growColumn(this.sid, s);
    this.dev0 = growColumn(this.dev0, s);
    this.hwm0 = growColumn(this.hwm0, s);
    this.ep0 = growColumn(this.ep0, s);
    this.run0 = growColumn(this.run0, s);
    this.sid[s] = id;
    this.dev0[s] = -1;
    this.hwm0[s] = -1;
    this.ep0[s] = -1;
    this.run0[s] = -1;
    let m = this.metricOrdinals.get(metric);
    if (m === undefined) this.metricOrdinals.set(metric, (m = this.metricOrdinals.size));
    if (m >= NARROW_METRICS) {
      const i = m - NARROW_METRICS;
      let byNode = this.wide[i];
      if (byNode === undefined) this.wide[i] = byNode = new Map();
      byNode.set(node, s);
      return s;
    }
    let slots = this.nodes.get(node);
    if (slots === undefined || m >= slots.length) {
      // Exactly sized (a grown array keeps spare room): to every narrow metric known so far.
      const grown = new Array<number>(Math.max(m + 1, Math.min(this.metricOrdinals.size, NARROW_METRICS)));
      if (slots !== undefined) for (let i = 0; i < slots.length; i++) if (slots[i] !== undefined) grown[i] = slots[i]!;
      this.nodes.set(node, (slots = grown));
    }
    slots[m] = s + 1;
    return s;
  }

  /** SQLite id of the series in `slot`. */
  seriesId(slot: number): number {
    return this.sid[slot]!;
  }

  /** SQLite id of device `name`, or undefined when not cached. */
  deviceId(name: string): number | undefined {
    return this.devices.get(name);
  }

  addDevice(name: string, id: number): void {
    this.devices.set(name, id);
  }

  /** Handle of the pair (series slot, device id), or NO_PAIR. */
  findPair(slot: number, device: number): number {
    if (this.dev0[slot] === device) return slot;
    if (this.dev0[slot] === -1) return NO_PAIR;
    return this.extras.get(slot)?.get(device) ?? NO_PAIR;
  }

  /** Caches the pair (series slot, device id) (not cached yet), its mark unknown; returns its handle. */
  addPair(slot: number, device: number): number {
    if (this.dev0[slot] === -1) {
      this.dev0[slot] = device;
      return slot;
    }
    const e = this.extraCount++;
    this.exSlot = growColumn(this.exSlot, e);
    this.exDev = growColumn(this.exDev, e);
    this.exHwm = growColumn(this.exHwm, e);
    this.exEp = growColumn(this.exEp, e);
    this.exRun = growColumn(this.exRun, e);
    this.exSlot[e] = slot;
    this.exDev[e] = device;
    this.exHwm[e] = -1;
    this.exEp[e] = -1;
    this.exRun[e] = -1;
    let byDevice = this.extras.get(slot);
    if (byDevice === undefined) this.extras.set(slot, (byDevice = new Map()));
    byDevice.set(device, ~e);
    return ~e;
  }

  /** SQLite series id of pair `h`. */
  pairSeries(h: number): number {
    return this.sid[h >= 0 ? h : this.exSlot[~h]!]!;
  }

  /** SQLite device id of pair `h`. */
  pairDevice(h: number): number {
    return h >= 0 ? this.dev0[h]! : this.exDev[~h]!;
  }

  /** Greatest ts stored for pair `h` (or more), valid while markEpoch(h) === epoch; -1 when none. */
  mark(h: number): number {
    return h >= 0 ? this.hwm0[h]! : this.exHwm[~h]!;
  }

  markEpoch(h: number): number {
    return h >= 0 ? this.ep0[h]! : this.exEp[~h]!;
  }

  setMark(h: number, hwm: number, epoch: number): void {
    if (h >= 0) {
      this.hwm0[h] = hwm;
      this.ep0[h] = epoch;
    } else {
      this.exHwm[~h] = hwm;
      this.exEp[~h] = epoch;
    }
  }

  /** Index of pair `h`'s run in the current write, -1 when it has none. */
  run(h: number): number {
    return h >= 0 ? this.run0[h]! : this.exRun[~h]!;
  }

  setRun(h: number, run: number): void {
    if (h >= 0) this.run0[h] = run;
    else this.exRun[~h] = run;
  }

  /**
   * Forgets every series, device and pair (ids cached in a rolled-back transaction may not exist)
   * and moves the epoch. Columns keep their capacity; slots are handed out again from 0.
   */
  clear(): void {
    this.nodes = new Map();
    this.wide = [];
    this.devices = new Map();
    this.extras = new Map();
    this.slots = 0;
    this.extraCount = 0;
    this.epoch++;
  }
}
