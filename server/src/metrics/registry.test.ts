import { describe, expect, it } from '@jest/globals';
import { createServerMetrics, MetricsRegistry } from './registry.js';

/** The `# TYPE` line of each metric family in a scrape. */
const types = (text: string) =>
  Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));

describe('MetricsRegistry', () => {
  it('renders counters as counters named _total, gauges as gauges, histograms as histograms', async () => {
    const r = new MetricsRegistry({ defaultMetrics: false });
    const c = r.counter('t_things_total', 'Things.', ['kind']);
    const g = r.gauge('t_level', 'Level.');
    const h = r.histogram('t_wait_seconds', 'Wait.');
    c.inc({ kind: 'a' });
    c.inc({ kind: 'a' }, 2);
    g.set(7);
    h.observe(0.003);
    const text = await r.render();
    expect(types(text)).toEqual({ t_things_total: 'counter', t_level: 'gauge', t_wait_seconds: 'histogram' });
    expect(text).toMatch(/^t_things_total\{kind="a"\} 3$/m);
    expect(text).toMatch(/^t_level 7$/m);
    expect(await c.value({ kind: 'a' })).toBe(3);
    expect(await c.value({ kind: 'b' })).toBe(0);
    expect(r.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('refuses a counter whose name does not end in _total, and a name registered twice', () => {
    const r = new MetricsRegistry({ defaultMetrics: false });
    expect(() => r.counter('t_things', 'Things.')).toThrow(/_total/);
    r.gauge('t_level', 'Level.');
    expect(() => r.gauge('t_level', 'Again.')).toThrow(/already been registered/);
  });

  it('puts an observation in every bucket at or above it, and counts and sums it', async () => {
    const r = new MetricsRegistry({ defaultMetrics: false });
    const h = r.histogram('t_wait_seconds', 'Wait.', [], [0.001, 0.01, 0.1]);
    h.observe(0.005);
    h.observe(0.05);
    const text = await r.render();
    expect(text).toMatch(/^t_wait_seconds_bucket\{le="0.001"\} 0$/m);
    expect(text).toMatch(/^t_wait_seconds_bucket\{le="0.01"\} 1$/m);
    expect(text).toMatch(/^t_wait_seconds_bucket\{le="0.1"\} 2$/m);
    expect(text).toMatch(/^t_wait_seconds_bucket\{le="\+Inf"\} 2$/m);
    expect(text).toMatch(/^t_wait_seconds_sum 0.055$/m);
    expect(await h.count()).toBe(2);
  });

  it("runs a gauge's collectors at each scrape", async () => {
    const r = new MetricsRegistry({ defaultMetrics: false });
    const g = r.gauge('t_open', 'Open.');
    let open = 1;
    g.collect(() => g.set(open));
    expect(await r.render()).toMatch(/^t_open 1$/m);
    open = 4;
    expect(await r.render()).toMatch(/^t_open 4$/m);
  });

  it("includes the process's default metrics (CPU, memory, heap, event loop)", async () => {
    const text = await new MetricsRegistry().render();
    const t = types(text);
    expect(t).toMatchObject({
      process_cpu_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_gc_duration_seconds: 'histogram',
    });
  });

  it('keeps two registries apart: same names, own values, the default metrics in both', async () => {
    const a = createServerMetrics();
    const b = createServerMetrics();
    a.readingsAccepted.inc({}, 5);
    a.ingestToStore.observe(0.002);
    expect(await a.readingsAccepted.value()).toBe(5);
    expect(await b.readingsAccepted.value()).toBe(0);
    expect(await a.ingestToStore.count()).toBe(1);
    expect(await b.ingestToStore.count()).toBe(0);
    const [ta, tb] = [await a.registry.render(), await b.registry.render()];
    expect(ta).toMatch(/^opsroom_readings_accepted_total 5$/m);
    expect(tb).toMatch(/^opsroom_readings_accepted_total 0$/m);
    for (const t of [ta, tb]) expect(t).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
  });
});

describe('createServerMetrics', () => {
  it('types every opsroom metric: what only goes up is a counter named _total', async () => {
    const m = createServerMetrics({ defaultMetrics: false });
    const t = types(await m.registry.render());
    for (const [name, type] of Object.entries(t)) {
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
    }
    expect(t).toMatchObject({
      opsroom_readings_accepted_total: 'counter',
      opsroom_readings_rejected_total: 'counter',
      opsroom_mqtt_messages_total: 'counter',
      opsroom_decode_messages_total: 'counter',
      opsroom_alerts_open: 'gauge',
      opsroom_socket_clients: 'gauge',
      opsroom_ingest_to_store_seconds: 'histogram',
      opsroom_detection_to_alert_seconds: 'histogram',
      opsroom_http_request_duration_seconds: 'histogram',
    });
  });

  it("counts decoded messages by path from the decoder's process-wide totals", async () => {
    const m = createServerMetrics({ defaultMetrics: false });
    const text = await m.registry.render();
    expect(text).toMatch(/^opsroom_decode_messages_total\{path="fast"\} \d+$/m);
    expect(text).toMatch(/^opsroom_decode_messages_total\{path="fallback"\} \d+$/m);
  });

  it('labels HTTP durations by method, route and status code', async () => {
    const m = createServerMetrics({ defaultMetrics: false });
    m.httpRequestDuration.observe(0.004, { method: 'GET', route: '/api/alerts/:id', status_code: '200' });
    expect(await m.httpRequestDuration.count({ method: 'GET', route: '/api/alerts/:id', status_code: '200' })).toBe(1);
    expect(await m.registry.render()).toMatch(
      /^opsroom_http_request_duration_seconds_count\{method="GET",route="\/api\/alerts\/:id",status_code="200"\} 1$/m,
    );
  });
});
