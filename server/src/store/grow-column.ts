/** A typed array used as one column of a struct of arrays (one entry per slot). */
export type Column = Int32Array | Float64Array;

/** Smallest column allocated by growColumn. */
export const MIN_COLUMN_LENGTH = 16;

/**
 * `col` when it has room for `index`, else a longer copy: the length doubles (at least
 * MIN_COLUMN_LENGTH) until `index` fits, old entries are kept and new ones set to `fill`.
 * Doubling keeps appends amortised O(1) and the unused tail below half the column.
 *
 * Example: growColumn(Int32Array.of(7, 8), 5, -1) -> Int32Array [7, 8, -1, -1, ..., -1] of length 16;
 * growColumn(c, 3, -1) returns c itself when c.length > 3.
 */
export function growColumn<C extends Column>(col: C, index: number, fill = 0): C {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new RangeError(`growColumn needs a non-negative integer index (got ${String(index)})`);
  if (index < col.length) return col;
  let length = Math.max(MIN_COLUMN_LENGTH, col.length);
  while (length <= index) length *= 2;
  const out = new (col.constructor as new (n: number) => C)(length);
  out.set(col);
  if (fill !== 0) out.fill(fill, col.length);
  return out;
}
