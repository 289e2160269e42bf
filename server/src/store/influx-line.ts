import { escape } from '@influxdata/influxdb-client';
import type { StoredPoint } from './store.js';

/**
 * Encodes points as InfluxDB line protocol with ms timestamps: measurement = metric, tags
 * `device` and `node` (sorted by key, as InfluxDB prefers), one float field `value`.
 * The escaped `measurement,tags` prefix is cached per (node, metric, deviceId), so a steady stream
 * of the same series builds no new key strings per point (docs/measurements.md).
 *
 * Example: { node: 'valle/norte', metric: 'output', deviceId: 'm 1', ts: 1700000000000, value: 2.5 }
 *   -> 'output,device=m\ 1,node=valle/norte value=2.5 1700000000000'
 * (VictoriaMetrics names that series `output_value{device="m 1",node="valle/norte"}`.)
 */
export class LineEncoder {
  private readonly prefixes = new Map<string, Map<string, Map<string, string>>>();

  encode(p: StoredPoint): string {
    return `${this.prefix(p.node, p.metric, p.deviceId)} value=${String(p.value)} ${p.ts}`;
  }

  /** Forgets the cached prefixes. */
  clear(): void {
    this.prefixes.clear();
  }

  private prefix(node: string, metric: string, deviceId: string): string {
    let metrics = this.prefixes.get(node);
    if (metrics === undefined) this.prefixes.set(node, (metrics = new Map()));
    let devices = metrics.get(metric);
    if (devices === undefined) metrics.set(metric, (devices = new Map()));
    let prefix = devices.get(deviceId);
    if (prefix === undefined) {
      prefix = `${escape.measurement(metric)},device=${escape.tag(deviceId)},node=${escape.tag(node)}`;
      devices.set(deviceId, prefix);
    }
    return prefix;
  }
}
