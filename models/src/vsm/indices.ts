/** Beer's indices for one node and indicator. Each is null when its inputs are unknown or the divisor is zero. */
export interface BeerIndices {
  /** actuality / capability */
  productivity: number | null;
  /** capability / potentiality */
  latency: number | null;
  /** actuality / potentiality (= productivity × latency) */
  performance: number | null;
}

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a == null || b == null || b === 0 ? null : a / b;

/**
 * Beer's indices (Brain of the Firm, ch. 12) from the three levels of achievement.
 * @example beerIndices(80, 100, 160) // { productivity: 0.8, latency: 0.625, performance: 0.5 }
 */
export function beerIndices(
  actuality: number | null,
  capability?: number | null,
  potentiality?: number | null,
): BeerIndices {
  return {
    productivity: ratio(actuality, capability),
    latency: ratio(capability, potentiality),
    performance: ratio(actuality, potentiality),
  };
}
