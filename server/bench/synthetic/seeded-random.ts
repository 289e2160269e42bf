import { mulberry32 } from '@opsroom/models';
/**
 * A tiny seeded pseudo-random source for synthetic series in tests and benchmarks
 * (mulberry32 for uniforms, Box–Muller for normals). Deterministic across runs and platforms.
 *
 * @example
 *   const rnd = seededRandom(42);
 *   rnd.uniform(); // 0.6011037519201636 — same on every run
 *   rnd.normal();  // a standard normal draw
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
}

export function seededRandom(seed: number): SeededRandom {
  const uniform = mulberry32(seed);
  let spare = Number.NaN;
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = Number.NaN;
      return v;
    }
    let u = uniform();
    while (u <= 0) u = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  return { uniform, normal };
}
