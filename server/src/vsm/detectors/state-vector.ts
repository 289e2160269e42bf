/**
 * A detector's numeric state: ONE plain array of unboxed doubles per detector, not a Float64Array.
 * A typed array of n numbers costs its 8n bytes plus a JSTypedArray, a JSArrayBuffer and an
 * off-heap backing store with its own bookkeeping (~450 B more resident memory in all, measured);
 * a double array is a small header and 8n bytes on the V8 heap. Values round-trip exactly
 * (negative zero included), so outputs do not depend on the representation.
 *
 * @example
 *   const st = newStateVector(3);   // [0, 0, 0], stored as doubles
 *   st[1] = -0;                     // Object.is(st[1], -0) === true
 */
export type StateVector = number[];

export function newStateVector(length: number): StateVector {
  const v = new Array<number>(length);
  v.fill(0.5); // a non-integer makes V8 store the elements as unboxed doubles (8 B each, no boxes)
  v.fill(0);
  return v;
}

/** A new state vector holding a copy of `values`. */
export function stateVectorOf(values: ArrayLike<number>): StateVector {
  const v = newStateVector(values.length);
  for (let i = 0; i < values.length; i++) v[i] = values[i]!;
  return v;
}
