/**
 * Per device: when the server last heard from it (a reading or a status message) and the agent's
 * own health from its status readings (`agent_buffer_depth`, `agent_dropped_total`,
 * `agent_connected`, `agent_last_publish_age_s`; edge-agent/src/health/health-readings.ts).
 * Kept in memory. After a restart, a device's last contact starts as the time of its newest stored
 * reading (`seed`, when the store reads the newest values cheaply at start-up: the embedded and memory
 * stores), so a device that went quiet before the restart is still shown as quiet since then, not as
 * "not heard since the server started".
 */
import type { ReadingBatch } from '@opsroom/models';

/** How the agent's store-and-forward buffer is doing, from its last status reading. */
export type BufferHealth = 'ok' | 'backlog' | 'dropping' | 'unknown';

export interface DeviceContact {
  /** ms since epoch the server last accepted a message of the device (readings or status). */
  lastContact: number;
  /** ms since epoch of the last status message with health readings; absent: none yet. */
  statusAt?: number;
  /** Readings waiting in the agent's buffer (agent_buffer_depth). */
  bufferDepth?: number;
  /** Readings the agent dropped since it started (agent_dropped_total). */
  dropped?: number;
  /** Whether the agent itself thought it was connected (agent_connected). */
  agentConnected?: boolean;
  /** Seconds since the agent's last successful publish (agent_last_publish_age_s). */
  lastPublishAgeS?: number;
  health: BufferHealth;
}

const HEALTH = {
  agent_buffer_depth: 'bufferDepth',
  agent_dropped_total: 'dropped',
  agent_last_publish_age_s: 'lastPublishAgeS',
} as const;

/**
 * The buffer's health from two successive status readings: `dropping` when the drop counter grew
 * since the previous one, `backlog` when readings wait, `ok` when the buffer is empty.
 * @example bufferHealth({ bufferDepth: 0, dropped: 2 }, 2) // 'ok'
 * @example bufferHealth({ bufferDepth: 40, dropped: 3 }, 2) // 'dropping'
 */
export function bufferHealth(c: { bufferDepth?: number; dropped?: number }, droppedBefore?: number): BufferHealth {
  if (c.bufferDepth === undefined) return 'unknown';
  if (c.dropped !== undefined && droppedBefore !== undefined && c.dropped > droppedBefore) return 'dropping';
  return c.bufferDepth > 0 ? 'backlog' : 'ok';
}

export class DeviceContacts {
  private readonly byDevice = new Map<string, DeviceContact>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Every batch the store accepted, from either channel. */
  observe(batch: ReadingBatch, channel: 'readings' | 'status'): void {
    const at = this.now();
    const before = this.byDevice.get(batch.deviceId);
    const c: DeviceContact = { ...(before ?? { health: 'unknown' }), lastContact: at };
    if (channel === 'status') {
      let saw = false;
      const droppedBefore = before?.dropped;
      for (let i = 0; i < batch.length; i++) {
        const name = batch.metricNames[batch.metric[i]!];
        const value = batch.values[i]!;
        if (name === 'agent_connected') {
          c.agentConnected = value === 1;
          saw = true;
        } else if (name !== undefined && name in HEALTH) {
          c[HEALTH[name as keyof typeof HEALTH]] = value;
          saw = true;
        }
      }
      if (saw) {
        c.statusAt = at;
        c.health = bufferHealth(c, droppedBefore);
      }
    }
    this.byDevice.set(batch.deviceId, c);
  }

  /**
   * Start-up: the newest stored reading of each device (its `ts`, the device's clock) as its last contact, for the
   * devices not heard yet. Buffer health stays unknown until its next status message.
   */
  seed(readings: Iterable<{ deviceId: string; ts: number }>): void {
    const newest = new Map<string, number>();
    for (const r of readings) if (r.ts > (newest.get(r.deviceId) ?? -Infinity)) newest.set(r.deviceId, r.ts);
    for (const [deviceId, ts] of newest)
      if (!this.byDevice.has(deviceId)) this.byDevice.set(deviceId, { lastContact: ts, health: 'unknown' });
  }

  get(deviceId: string): DeviceContact | undefined {
    return this.byDevice.get(deviceId);
  }

  forget(deviceId: string): void {
    this.byDevice.delete(deviceId);
  }
}
