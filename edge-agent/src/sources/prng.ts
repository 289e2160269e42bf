/** mulberry32, the shared seeded PRNG (models/src/random.ts). */
export { mulberry32 } from '@opsroom/models';

/**
 * FNV-1a hash of a string to 32 bits, to derive one independent stream per metric from one seed.
 * @example fnv1a('output') // 2041138948
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A standard normal variate (mean 0, standard deviation 1) by the Box–Muller transform,
 * consuming exactly two uniforms so that streams stay aligned whatever the values.
 * @example gaussian(() => 0.5) // -1.1774100225154747 (u1 = u2 = 0.5: sqrt(-2 ln 0.5) * cos(pi))
 */
export function gaussian(uniform: () => number): number {
  const u1 = 1 - uniform(); // (0, 1]: log never sees 0
  const u2 = uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
