import type { Reading } from '@opsroom/models';
import type { Fault } from './faults.js';

/**
 * Where readings come from: one implementation per kind of sensor, one file each (simulated
 * workshop, CSV replay, a periodic command, HTTP JSON polling, Linux host metrics, Modbus TCP).
 * Pull-based: the agent calls `sample(now)` on the source's interval with its own clock, so a
 * source never reads the wall clock for timestamps and a test decides every instant.
 */
export interface Source {
  /** Stable name for logs (e.g. `simulated:taller-1-plc`). */
  readonly id: string;
  /** The metric ids this source can produce, in the order it produces them. */
  readonly metrics: readonly string[];
  /**
   * The readings for instant `now` (ms since epoch), usually all stamped `now` (a replay may
   * carry the recorded stamps). May be empty (a sensor that is silent, or in a dropout). Sources
   * that wait on I/O return a promise; the agent never starts a sample of a source before its
   * previous one settled. A sensor problem throws (or rejects) with a message saying what failed;
   * the agent logs it, counts it (`agent_source_errors_total`) and tries again on the next interval.
   */
  sample(now: number): Reading[] | Promise<Reading[]>;
  /**
   * Called once the readings of the latest sample are durably in the outbox; a source that keeps
   * a position (CSV replay) saves it here, so a crash re-reads rather than skips. Optional.
   */
  checkpoint?(now: number): void;
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
