import type { ReadingColumns } from './columns.js';

/** FNV-1a offset basis; hash a metric name's bytes with `fnv(h, byte)` starting here. */
export const FNV_START = 0x811c9dc5 | 0;

/** One FNV-1a step. */
export const fnv = (h: number, c: number): number => Math.imul(h ^ c, 0x01000193);

/** Columns of small messages are carved from a shared slab of this size (like Node's Buffer pool). */
const SLAB_BYTES = 64 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** Metric ids fit a Uint16Array index. */
const MAX_NAMES = 0x10000;

/**
 * Collects one message's readings into reusable growable columns and interns its metric names:
 * a name is looked up by its bytes (hash, then byte-by-byte compare with the names already seen
 * in this message) and a string is made only the first time it appears. A name is one byte range
 * `b[s1, e1)`, or two joined by `_` (`measurement_field` in line protocol).
 *
 * Reused from message to message (`reset`), so scanning allocates nothing per reading; `finish`
 * copies the columns out at their exact length.
 *
 * @example
 * // output,energy,output -> names ['output', 'energy'], metric ids [0, 1, 0]; 'output' made once
 */
export class ColumnBuilder {
  length = 0;
  metric = new Uint16Array(1024);
  ts = new Float64Array(1024);
  values = new Float64Array(1024);
  names: string[] = [];
  /** The id of the most recently interned name (a cheap first guess for the next reading), or -1. */
  lastId = -1;
  lastName = '';
  /** Tags mode (`decodeReadingColumns(..., { tags: true })`): each reading gets a tag-set id. */
  withTags = false;
  /** The tag-set id the next pushed readings get (tags mode). */
  curTag = 0;
  tagIds = new Uint16Array(1024);
  tagNames: string[] = [];
  private tagIndex = new Map<string, number>();
  private prevTagS = 0;
  private prevTagE = -1;
  private prevTagId = 0;
  private hashes = new Int32Array(64);
  private slotGen = new Int32Array(256);
  private slotId = new Int32Array(256);
  private mask = 255;
  /** Slots stamped with another generation are free: starts at 1 so a fresh builder needs no reset. */
  private gen = 1;

  /** Starts a new message: no readings, no names; `withTags` turns tags mode on for it. */
  reset(withTags = false): void {
    this.length = 0;
    this.names = [];
    this.withTags = withTags;
    if (withTags) {
      this.tagNames = [];
      this.tagIndex.clear();
      this.prevTagE = -1;
      this.curTag = -1;
    }
    this.lastId = -1;
    this.lastName = '';
    if (++this.gen === 0x7fffffff) {
      this.slotGen.fill(0);
      this.gen = 1;
    }
  }

  push(id: number, ts: number, value: number): void {
    const i = this.length;
    if (i === this.metric.length) this.grow();
    this.metric[i] = id;
    this.ts[i] = ts;
    this.values[i] = value;
    if (this.withTags) this.tagIds[i] = this.curTag;
    this.length = i + 1;
  }

  /**
   * The id of the tag set `b[s, e)` (UTF-8 text, '' when s === e), interned on first sight; the
   * previous line's bytes are compared first (consecutive lines mostly share their tags). -1 past
   * a Uint16Array index.
   */
  tagOf(b: Uint8Array, s: number, e: number): number {
    const len = e - s;
    const prevLen = this.prevTagE - this.prevTagS;
    if (len === prevLen && (len === 0 || sameBytesAt(b, this.prevTagS, s, len))) return this.prevTagId;
    const text = len === 0 ? '' : utf8.decode(b.subarray(s, e));
    let id = this.tagIndex.get(text);
    if (id === undefined) {
      id = this.tagNames.length;
      if (id >= MAX_NAMES) return -1;
      this.tagIndex.set(text, id);
      this.tagNames.push(text);
    }
    this.prevTagS = s;
    this.prevTagE = e;
    this.prevTagId = id;
    return id;
  }

  /** Sets the timestamp of readings [from, length) (a line-protocol line learns its ts after its fields). */
  setTs(from: number, ts: number): void {
    for (let i = from; i < this.length; i++) this.ts[i] = ts;
  }

  /**
   * The id of the name `b[s1, e1)` (or `b[s1, e1) + '_' + b[s2, e2)` when s2 >= 0) whose FNV-1a
   * hash is h, interning it on first sight. -1 when the message has more distinct names than a
   * Uint16Array index holds.
   */
  intern(b: Uint8Array, s1: number, e1: number, s2: number, e2: number, h: number): number {
    const mask = this.mask;
    let slot = h & mask;
    while (this.slotGen[slot] === this.gen) {
      const id = this.slotId[slot]!;
      if (this.hashes[id] === h && sameName(this.names[id]!, b, s1, e1, s2, e2)) {
        this.lastId = id;
        this.lastName = this.names[id]!;
        return id;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.names.length;
    if (id >= MAX_NAMES) return -1;
    const name = s2 < 0 ? latin1Name(b, s1, e1) : `${latin1Name(b, s1, e1)}_${latin1Name(b, s2, e2)}`;
    this.names.push(name);
    if (id === this.hashes.length) {
      const h2 = new Int32Array(id * 2);
      h2.set(this.hashes);
      this.hashes = h2;
    }
    this.hashes[id] = h;
    this.slotGen[slot] = this.gen;
    this.slotId[slot] = id;
    if ((id + 1) * 2 > mask) this.rehash();
    this.lastId = id;
    this.lastName = name;
    return id;
  }

  /**
   * The collected columns, copied out at their exact length (the builder's buffers are reused).
   * Small messages' columns are views on a shared 64 KiB slab (three typed arrays cost one
   * allocation instead of three): never transfer or detach their `.buffer`; copy them first.
   */
  finish(): ReadingColumns {
    const n = this.length;
    const bytes = n * 18;
    let buf: ArrayBuffer;
    let off: number;
    if (bytes > SLAB_BYTES / 4) {
      buf = new ArrayBuffer(bytes);
      off = 0;
    } else {
      if (slabUsed + bytes > SLAB_BYTES) {
        slab = new ArrayBuffer(SLAB_BYTES);
        slabUsed = 0;
      }
      buf = slab;
      off = slabUsed;
      slabUsed = (off + bytes + 7) & ~7;
    }
    const ts = new Float64Array(buf, off, n);
    const values = new Float64Array(buf, off + n * 8, n);
    const metric = new Uint16Array(buf, off + n * 16, n);
    ts.set(this.ts.subarray(0, n));
    values.set(this.values.subarray(0, n));
    metric.set(this.metric.subarray(0, n));
    const cols: ReadingColumns = { length: n, metricNames: this.names, metric, ts, values };
    if (this.withTags && this.tagNames.some((t) => t !== '')) {
      cols.tagSets = this.tagNames;
      cols.tagSet = this.tagIds.slice(0, n);
    }
    return cols;
  }

  private grow(): void {
    const size = this.metric.length * 2;
    const metric = new Uint16Array(size);
    metric.set(this.metric);
    const ts = new Float64Array(size);
    ts.set(this.ts);
    const values = new Float64Array(size);
    values.set(this.values);
    this.metric = metric;
    this.ts = ts;
    this.values = values;
    const tagIds = new Uint16Array(size);
    tagIds.set(this.tagIds);
    this.tagIds = tagIds;
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    this.mask = size - 1;
    this.slotGen = new Int32Array(size);
    this.slotId = new Int32Array(size);
    this.gen = 1;
    for (let id = 0; id < this.names.length; id++) {
      let slot = this.hashes[id]! & this.mask;
      while (this.slotGen[slot] === 1) slot = (slot + 1) & this.mask;
      this.slotGen[slot] = 1;
      this.slotId[slot] = id;
    }
  }
}

const utf8 = new TextDecoder();

function sameBytesAt(b: Uint8Array, a: number, c: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (b[a + i] !== b[c + i]) return false;
  return true;
}

function sameName(name: string, b: Uint8Array, s1: number, e1: number, s2: number, e2: number): boolean {
  const l1 = e1 - s1;
  if (name.length !== (s2 < 0 ? l1 : l1 + 1 + e2 - s2)) return false;
  for (let i = 0; i < l1; i++) if (name.charCodeAt(i) !== b[s1 + i]) return false;
  if (s2 < 0) return true;
  if (name.charCodeAt(l1) !== 95) return false;
  for (let i = 0, j = l1 + 1; i < e2 - s2; i++, j++) if (name.charCodeAt(j) !== b[s2 + i]) return false;
  return true;
}

/** A metric name's bytes (ASCII letters, digits, `_`, at most 64) as a string. */
function latin1Name(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]!);
  return out;
}
