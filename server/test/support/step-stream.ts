/**
 * A steady noisy stream with a step change: `n` readings one `spacingMs` apart ending now, level
 * `from` until `stepAt`, then `to`, plus uniform noise of ±2 (seeded, so every run is the same).
 * The defaults (200 readings, step at 170 from 100 to 160) give the detector its learning period
 * (150 readings) and a clean step of ~50 noise-sigmas after it.
 */
export function stepStream(
  opts: {
    n?: number;
    stepAt?: number;
    from?: number;
    to?: number;
    spacingMs?: number;
    seed?: number;
    t0?: number;
  } = {},
): Array<{ ts: number; value: number }> {
  const { n = 200, stepAt = 170, from = 100, to = 160, spacingMs = 1000, seed: s0 = 42 } = opts;
  const t0 = opts.t0 ?? Date.now() - n * spacingMs;
  let seed = s0;
  return Array.from({ length: n }, (_, i) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return { ts: t0 + i * spacingMs, value: (i < stepAt ? from : to) + (seed / 2 ** 31 - 0.5) * 4 };
  });
}
