import { encodeJsonReadings } from '@opsroom/models';
import type { Logger } from '../log/logger.js';
import { healthReadings, type HealthCounters } from './health-readings.js';
import { writeStatusFile, type AgentStatus } from './status-file.js';

export interface HealthReporterOptions {
  deviceId: string;
  logger: Logger;
  now: () => number;
  intervalMs: number;
  /** Where the status file goes (with a bufferDir), else none. */
  statusFile: string | undefined;
  /** The counters now. */
  counters: () => HealthCounters;
  /** The status file's content for these counters (`stopped` in the last one a clean stop writes). */
  status: (counters: HealthCounters, stopped: boolean) => AgentStatus;
  /** Publishes on the status topic; false when it could not be sent now. */
  publishStatus: (payload: string) => boolean;
  /** The outbox's size, named in the warning when it drops readings. */
  outboxMaxReadings: number;
}

/**
 * The agent's health: every `intervalMs` its counters go out as readings on its status topic
 * (HEALTH_METRICS) and into the status file, and readings the outbox dropped since the last
 * report are warned about once. Owns its timer (start/stop).
 */
export class HealthReporter {
  private timer: NodeJS.Timeout | undefined;
  private droppedReported: number;
  private reports = 0;

  constructor(private readonly opts: HealthReporterOptions) {
    this.droppedReported = opts.counters().dropped;
  }

  start(): void {
    this.writeStatus(this.opts.counters(), false);
    this.timer = setInterval(() => this.report(), this.opts.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Publishes the health readings and rewrites the status file now. */
  report(): void {
    const { logger, now, deviceId } = this.opts;
    const c = this.opts.counters();
    if (c.dropped > this.droppedReported) {
      logger.warn(
        {
          deviceId,
          dropped: c.dropped - this.droppedReported,
          droppedTotal: c.dropped,
          bufferMaxReadings: this.opts.outboxMaxReadings,
        },
        'outbox full: the oldest readings were dropped to make room (raise bufferMaxReadings or restore the link)',
      );
      this.droppedReported = c.dropped;
    }
    if (this.opts.publishStatus(encodeJsonReadings(healthReadings(c, now())))) this.reports++;
    this.writeStatus(c, false);
  }

  /** The last status file, written by a clean stop. */
  writeFinal(counters: HealthCounters): void {
    this.writeStatus(counters, true);
  }

  /** Health reports published. */
  get reportCount(): number {
    return this.reports;
  }

  private writeStatus(counters: HealthCounters, stopped: boolean): void {
    const file = this.opts.statusFile;
    if (!file) return;
    try {
      writeStatusFile(file, this.opts.status(counters, stopped));
    } catch (err) {
      this.opts.logger.warn({ file, err: (err as Error).message }, 'could not write the status file');
    }
  }
}
