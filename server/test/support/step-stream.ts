/**
 * A steady noisy stream with a step change: `n` readings one `spacingMs` apart ending now, level
 * `from` until `stepAt`, then `to`, plus uniform noise of ±2 (seeded, so every run is the same).
 * The defaults (160 readings, step at 120 from 100 to 160) give the detector its warm-up and a
 * clean step of ~15 noise-sigmas.
 */
export function stepStream(opts: { n?: number; stepAt?: number; from?: number; to?: number; spacingMs?: number; seed?: number; t0?: number } = {}): Array<{ ts: number; value: number }> {
  const { n = 160, stepAt = 120, from = 100, to = 160, spacingMs = 1000, seed: s0 = 42 } = opts;
  const t0 = opts.t0 ?? Date.now() - n * spacingMs;
  let seed = s0;
  return Array.from({ length: n }, (_, i) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return { ts: t0 + i * spacingMs, value: (i < stepAt ? from : to) + (seed / 2 ** 31 - 0.5) * 4 };
  });
}
