/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text exposition
 * format (version 0.0.4) at `GET /metrics`.
 */
import { decodeColumnsCounts } from '@opsroom/models';
type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`)
    .join(',');

class Metric {
  readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    if (this.values.size === 0 && this.type === 'counter') lines.push(`${this.name} 0`);
    for (const [k, v] of this.values) lines.push(k ? `${this.name}{${k}} ${v}` : `${this.name} ${v}`);
    return lines.join('\n');
  }
}

export class Counter extends Metric {
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
}

export class Gauge extends Metric {
  private readonly collectors: Array<() => void> = [];
  set(value: number, labels: Labels = {}): void {
    this.values.set(labelKey(labels), value);
  }
  /** A callback run before each render to refresh the value. */
  collect(fn: () => void): void {
    this.collectors.push(fn);
  }
  override render(): string {
    for (const fn of this.collectors) fn();
    return super.render();
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help, 'counter'));
  }
  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help, 'gauge'));
  }
  private add<M extends Metric>(m: M): M {
    if (this.metrics.has(m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.set(m.name, m);
    return m;
  }
  render(): string {
    return [...this.metrics.values()].map((m) => m.render()).join('\n') + '\n';
  }
}

/** The server's metrics, created once per app. */
export function createServerMetrics() {
  const registry = new MetricsRegistry();
  return {
    registry,
    readingsAccepted: registry.counter('opsroom_readings_accepted_total', 'Readings accepted by ingest and written to the store.'),
    readingsRejected: registry.counter('opsroom_readings_rejected_total', 'Readings or messages rejected by ingest, by cause.'),
    messagesReceived: registry.counter('opsroom_mqtt_messages_total', 'MQTT messages received by ingest.'),
    storeWriteErrors: registry.counter('opsroom_store_write_errors_total', 'Store batch writes that failed.'),
    alertsRaised: registry.counter('opsroom_alerts_raised_total', 'Algedonic alerts raised, by kind.'),
    alertsEscalated: registry.counter('opsroom_alerts_escalated_total', 'Alert escalations one level up.'),
    stateSaveFailures: registry.counter(
      'opsroom_state_save_failures_total',
      'Saves to the state database (alerts, sessions, maintenance windows) that failed, by operation; nothing was changed.',
    ),
    alertsOpen: registry.gauge('opsroom_alerts_open', 'Alerts not yet resolved.'),
    socketClients: registry.gauge('opsroom_socket_clients', 'Connected socket.io clients.'),
    loginFailures: registry.counter('opsroom_login_failures_total', 'Failed logins.'),
    decodePaths: decodePathsGauge(registry),
  };
}

/** Messages decoded since the process started, by path: `fast` (columnar scanner) or `fallback` (the exact decoder, for unusual payloads). */
function decodePathsGauge(registry: MetricsRegistry): Gauge {
  const g = registry.gauge('opsroom_decode_messages', 'Messages decoded since the process started, by path: fast (columnar byte scanner) or fallback (exact decoder for unusual payloads).');
  g.collect(() => {
    const c = decodeColumnsCounts();
    g.set(c.fast, { path: 'fast' });
    g.set(c.fallback, { path: 'fallback' });
  });
  return g;
}
export type ServerMetrics = ReturnType<typeof createServerMetrics>;
