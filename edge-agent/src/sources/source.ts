import type { Reading } from '@opsroom/models';
import type { Fault } from './faults.js';

/**
 * Where readings come from: one implementation per kind of sensor (simulated workshop today;
 * Modbus, OPC UA or a serial line later). Pull-based: the agent calls `sample(now)` on its
 * sampling interval with its own clock, so a source never reads the wall clock and a test
 * decides every instant.
 */
export interface Source {
  /** Stable name for logs (e.g. `simulated:taller-1-plc`). */
  readonly id: string;
  /** The metric ids this source can produce, in the order it produces them. */
  readonly metrics: readonly string[];
  /**
   * The readings for instant `now` (ms since epoch), all stamped `now`. May be empty (a sensor
   * that is silent, or in a dropout). Never throws for a sensor problem: it logs and skips.
   */
  sample(now: number): Reading[];
  /** Releases whatever the source holds (ports, sockets). Optional: pure sources hold nothing. */
  close?(): void;
}

/** A source that can be told to misbehave (simulations; for demos and tests). */
export interface FaultableSource extends Source {
  /** Adds a fault to one metric. Throws an Error saying what is wrong when the metric or fault is invalid. */
  injectFault(metric: string, fault: Fault): void;
  /** Removes the faults of one metric, or of every metric when none is named. */
  clearFaults(metric?: string): void;
}

export function isFaultable(source: Source): source is FaultableSource {
  return typeof (source as Partial<FaultableSource>).injectFault === 'function';
}
