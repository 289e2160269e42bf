/**
 * Shared slabs of detector state: many detectors' states in one ArrayBuffer, so a detector is a
 * small object holding its slab and its offset, with no per-detector typed array (a typed array
 * costs a JSTypedArray, a JSArrayBuffer and an off-heap backing store, ~450 B, before its numbers).
 *
 * A slab holds `capacity` slots of `strideBytes` (a multiple of 8), seen through Float64, Float32,
 * Uint32, Uint16 and Uint8 views, and the model (shared options) of every detector in it. Detectors
 * reference their slab, so a slab whose detectors are all unreachable is garbage-collected with
 * them; `free()` (a detector's `dispose()`) makes a slot reusable at once. A slot comes zeroed.
 *
 * @example
 *   const a = new SlabAllocator(16, 2, 'model');
 *   const s = a.alloc();              // { slab, base8: 0 }: f64[base8], f32[2·base8 + k], u8[8·base8 + k]
 *   s.slab.f64[s.base8] = 1.5;
 *   a.free(s.slab, s.base8);          // the next alloc() reuses (and zeroes) that slot
 */
export class Slab<M> {
  readonly f64: Float64Array;
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
  readonly u16: Uint16Array;
  readonly u8: Uint8Array;
  /** Slots handed out so far (never-used slots follow). */
  used = 0;
  /** Freed slots (their base8), reused before new ones. */
  readonly freed: number[] = [];

  constructor(
    readonly strideBytes: number,
    readonly capacity: number,
    readonly model: M,
  ) {
    const buf = new ArrayBuffer(strideBytes * capacity);
    this.f64 = new Float64Array(buf);
    this.f32 = new Float32Array(buf);
    this.u32 = new Uint32Array(buf);
    this.u16 = new Uint16Array(buf);
    this.u8 = new Uint8Array(buf);
  }
}

export interface SlabSlot<M> {
  slab: Slab<M>;
  /** Offset of the slot in 8-byte words (Float64Array index); ×2 for Float32/Uint32, ×8 for bytes. */
  base8: number;
}

/**
 * Hands out zeroed slots of one stride, `capacity` to a slab; keeps no slab alive but the current one and those with
 * freed slots.
 */
export class SlabAllocator<M> {
  private current: Slab<M> | null = null;
  private readonly withFreed: Slab<M>[] = [];

  constructor(
    readonly strideBytes: number,
    readonly capacity: number,
    readonly model: M,
  ) {
    if (!(Number.isInteger(strideBytes) && strideBytes > 0 && strideBytes % 8 === 0))
      throw new RangeError(`slab stride must be a positive multiple of 8 bytes, got ${strideBytes}`);
    if (!(Number.isInteger(capacity) && capacity > 0))
      throw new RangeError(`slab capacity must be a positive integer, got ${capacity}`);
  }

  alloc(): SlabSlot<M> {
    while (this.withFreed.length > 0) {
      const slab = this.withFreed[this.withFreed.length - 1]!;
      const base8 = slab.freed.pop();
      if (slab.freed.length === 0) this.withFreed.pop();
      if (base8 !== undefined) {
        slab.f64.fill(0, base8, base8 + this.strideBytes / 8);
        return { slab, base8 };
      }
    }
    let slab = this.current;
    if (slab === null || slab.used === slab.capacity) {
      slab = new Slab(this.strideBytes, this.capacity, this.model);
      this.current = slab;
    }
    const base8 = (slab.used * this.strideBytes) / 8;
    slab.used++;
    return { slab, base8 };
  }

  /** Makes a slot reusable. The caller must not use it afterwards. */
  free(slab: Slab<M>, base8: number): void {
    if (slab.freed.length === 0) this.withFreed.push(slab);
    slab.freed.push(base8);
  }
}

// ── Float32 helpers ────────────────────────────────────────────────────────────────────────────
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
export const F32_MAX = 3.4028234663852886e38;

/** x rounded to float32, clamped to the finite float32 range (so a stored number never becomes ±Infinity). */
export function toF32(x: number): number {
  return x > F32_MAX ? F32_MAX : x < -F32_MAX ? -F32_MAX : x;
}

/**
 * The 16 high bits of x as float32 (bfloat16: 8 exponent bits, 8 significant bits, ~0.4 % relative
 * step), rounded to nearest even. For non-negative scales only.
 * @example fromBf16(toBf16(3)) === 3; fromBf16(toBf16(1 / 3)) ≈ 0.333 (within 0.2 %)
 */
export function toBf16(x: number): number {
  F32[0] = toF32(x);
  const bits = U32[0]!;
  const r = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
  return (r & 0x7f80) === 0x7f80 ? bits >>> 16 : r; // never round up into Infinity
}

export function fromBf16(h: number): number {
  U32[0] = h << 16;
  return F32[0]!;
}

/** The largest float32 below a float32 f (toward −∞), and the smallest above. */
export function f32Down(f: number): number {
  if (f === 0) return -1.401298464324817e-45;
  F32[0] = f;
  U32[0] = f > 0 ? U32[0]! - 1 : U32[0]! + 1;
  return F32[0]!;
}

export function f32Up(f: number): number {
  return -f32Down(-f);
}
