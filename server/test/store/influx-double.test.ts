// InfluxStore against a tiny local HTTP server standing in for InfluxDB 2 (which cannot run here):
// it serves canned annotated-CSV Flux responses and scripted write answers (503s, 400s, slow
// replies) so the read parsing, retries, in-flight bound and buffer limit are tested on real sockets.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { InfluxStore } from '../../src/store/influx-store.js';
import type { InfluxStoreOptions } from '../../src/store/influx-store.js';
import type { StoredPoint } from '../../src/store/store.js';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: Recorded, res: ServerResponse) => void;

/** The double: records every request and answers with the current handler. */
class FakeInflux {
  readonly requests: Recorded[] = [];
  handler: Handler = (_req, res) => res.writeHead(204).end();
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        this.requests.push(r);
        this.handler(r, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  writes(): Recorded[] {
    return this.requests.filter((r) => r.url.startsWith('/api/v2/write'));
  }

  queries(): string[] {
    return this.requests
      .filter((r) => r.url.startsWith('/api/v2/query'))
      .map((r) => (JSON.parse(r.body) as { query: string }).query);
  }
}

/** An annotated-CSV response as InfluxDB 2 sends it (CRLF lines, blank line after each table block). */
function csv(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function sendCsv(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(body);
}

const T0 = 1_700_000_000_000; // 2023-11-14T22:13:20Z

function points(n: number, node = 'plant/a'): StoredPoint[] {
  return Array.from({ length: n }, (_, i) => ({ node, metric: 'output', deviceId: 'd1', ts: T0 + i, value: i }));
}

describe('InfluxStore against an InfluxDB 2 double', () => {
  let influx: FakeInflux;
  let store: InfluxStore | null;

  function open(opts: Partial<InfluxStoreOptions> = {}): InfluxStore {
    store = new InfluxStore({
      url: influx.url,
      org: 'my org',
      bucket: 'readings',
      token: 'sekret',
      minRetryDelayMs: 10,
      ...opts,
    });
    return store;
  }

  beforeEach(async () => {
    influx = new FakeInflux();
    await influx.start();
    store = null;
  });

  afterEach(async () => {
    await store?.close();
    await influx.stop();
  });

  it('writes line protocol with ms precision to the org and bucket, with the token, uncompressed', async () => {
    const s = open();
    await s.writeBatch([
      { node: 'plant/a', metric: 'output', deviceId: 'd1', ts: T0, value: 2.5 },
      ...points(200, 'plant/b'),
    ]);
    const [w] = influx.writes();
    expect(w!.url).toBe('/api/v2/write?org=my%20org&bucket=readings&precision=ms');
    expect(w!.headers.authorization).toBe('Token sekret');
    expect(w!.headers['content-encoding']).toBeUndefined(); // ~8 KB: the client would gzip it by default
    const lines = w!.body.split('\n');
    expect(lines).toHaveLength(201);
    expect(lines[0]).toBe(`output,device=d1,node=plant/a value=2.5 ${T0}`);
    expect(lines[200]).toBe(`output,device=d1,node=plant/b value=199 ${T0 + 199}`);
  });

  it('parses a windowed Flux answer into bucket-start points, oldest first', async () => {
    influx.handler = (_req, res) =>
      sendCsv(
        res,
        csv([
          '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double',
          '#group,false,false,true,true,false,false',
          '#default,_result,,,,,',
          ',result,table,_start,_stop,_time,_value',
          ',,0,2023-11-14T22:13:20Z,2023-11-14T22:16:20.001Z,2023-11-14T22:13:20Z,5',
          ',,0,2023-11-14T22:13:20Z,2023-11-14T22:16:20.001Z,2023-11-14T22:14:20Z,20.5',
          ',,0,2023-11-14T22:13:20Z,2023-11-14T22:16:20.001Z,2023-11-14T22:15:20.000000000Z,-7',
        ]),
      );
    const s = open();
    const got = await s.query({
      node: 'plant/a',
      metric: 'output',
      from: T0,
      to: T0 + 180_000,
      windowMs: 60_000,
      aggregate: 'max',
    });
    expect(got).toEqual([
      { ts: T0, value: 5 },
      { ts: T0 + 60_000, value: 20.5 },
      { ts: T0 + 120_000, value: -7 },
    ]);
    const [flux] = influx.queries();
    expect(flux).toContain('from(bucket: "readings")');
    expect(flux).toContain('r._measurement == "output" and r._field == "value" and r.node == "plant/a"');
    expect(flux).toContain('aggregateWindow(every: 60000ms, fn: max, createEmpty: false, timeSrc: "_start")');
    expect(influx.requests[0]!.url).toBe('/api/v2/query?org=my%20org');
  });

  it('parses counts (long) and an empty answer', async () => {
    influx.handler = (_req, res) =>
      sendCsv(
        res,
        csv([
          '#datatype,string,long,dateTime:RFC3339,long',
          '#group,false,false,false,false',
          '#default,_result,,,',
          ',result,table,_time,_value',
          ',,0,2023-11-14T22:13:20Z,3',
        ]),
      );
    const s = open();
    expect(
      await s.query({ node: 'n', metric: 'm', from: T0, to: T0 + 10_000, windowMs: 10_000, aggregate: 'count' }),
    ).toEqual([{ ts: T0, value: 3 }]);
    influx.handler = (_req, res) => sendCsv(res, '\r\n');
    expect(await s.query({ node: 'n', metric: 'm', from: T0, to: T0 + 10_000 })).toEqual([]);
  });

  it('parses latest from one table per series into (node, metric, deviceId) points', async () => {
    influx.handler = (_req, res) =>
      sendCsv(
        res,
        csv([
          '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string,string',
          '#group,false,false,true,true,false,false,true,true,true,true',
          '#default,_result,,,,,,,,,',
          ',result,table,_start,_stop,_time,_value,_field,_measurement,device,node',
          ',,0,1970-01-01T00:00:00Z,2023-11-15T00:00:00Z,2023-11-14T22:13:21Z,4,value,output,d1,plant/a',
          ',,1,1970-01-01T00:00:00Z,2023-11-15T00:00:00Z,2023-11-14T22:13:22Z,9.5,value,energy,d 2,plant/a',
        ]),
      );
    const s = open({ now: () => T0 + 3_600_000 });
    expect(await s.latest(['plant/a'])).toEqual([
      { node: 'plant/a', metric: 'output', deviceId: 'd1', ts: T0 + 1_000, value: 4 },
      { node: 'plant/a', metric: 'energy', deviceId: 'd 2', ts: T0 + 2_000, value: 9.5 },
    ]);
    expect(influx.queries()[0]).toContain('contains(value: r.node, set: ["plant/a"])');
    // Bounded: the last hour (latestLookbackMs), never the bucket from 1970.
    expect(influx.queries()[0]).toContain('range(start: time(v: "2023-11-14T22:13:20.000Z"))');
    expect(await s.latest([])).toEqual([]);
    expect(influx.queries()).toHaveLength(1);
  });

  it('surfaces a Flux error with what failed', async () => {
    influx.handler = (_req, res) =>
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 'invalid', message: 'compilation failed' }));
    const s = open();
    await expect(s.query({ node: 'n', metric: 'm', from: 0, to: 1 })).rejects.toThrow(
      /InfluxDB query failed .*compilation failed/,
    );
  });

  it('counts and then deletes points older than the cut-off', async () => {
    influx.handler = (req, res) => {
      if (req.url.startsWith('/api/v2/query')) {
        sendCsv(
          res,
          csv([
            '#datatype,string,long,long',
            '#group,false,false,false',
            '#default,_result,,',
            ',result,table,_value',
            ',,0,42',
          ]),
        );
      } else res.writeHead(204).end();
    };
    const s = open();
    expect(await s.deleteBefore(T0)).toBe(42);
    const del = influx.requests.find((r) => r.url.startsWith('/api/v2/delete'))!;
    expect(del.url).toBe('/api/v2/delete?org=my%20org&bucket=readings');
    expect(JSON.parse(del.body)).toEqual({ start: '1970-01-01T00:00:00.000Z', stop: '2023-11-14T22:13:19.999Z' });
  });

  it('leaves retention to the bucket: applyRetention checks the policy and sends nothing', async () => {
    const s = open();
    expect(await s.applyRetention({ rawMs: 1_000, minuteMs: 2_000 }, T0)).toEqual({ raw: 0, minute: 0, hour: 0 });
    await expect(s.applyRetention({ rawMs: 2_000, minuteMs: 1_000 }, T0)).rejects.toThrow(/minuteMs/);
    expect(influx.requests).toEqual([]);
  });

  it('retries a 503 and resolves only once the server accepted the lines', async () => {
    let calls = 0;
    influx.handler = (_req, res) => {
      calls++;
      if (calls <= 2)
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"code":"unavailable","message":"busy"}');
      else res.writeHead(204).end();
    };
    const s = open();
    await s.writeBatch(points(10));
    expect(calls).toBe(3);
    expect(influx.writes().map((w) => w.body.split('\n').length)).toEqual([10, 10, 10]);
    expect(s.health().ok).toBe(true);
    expect(s.health().detail).toMatch(/10 points acknowledged, 2 failed requests \(2 retries\)/);
  });

  it('rejects at once on a non-retriable 400 and reports writes failing in health', async () => {
    influx.handler = (_req, res) =>
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"code":"invalid","message":"unable to parse line"}');
    const s = open();
    await expect(s.writeBatch(points(5))).rejects.toThrow(
      /did not acknowledge a batch of 5 points: unable to parse line/,
    );
    expect(influx.writes()).toHaveLength(1);
    expect(s.health()).toMatchObject({ ok: false, backend: 'influxdb' });
    expect(s.health().detail).toMatch(/writes failing: unable to parse line/);
    // It recovers when the server does.
    influx.handler = (_req, res) => res.writeHead(204).end();
    await s.writeBatch(points(5));
    expect(s.health().ok).toBe(true);
  });

  it('gives up on an unreachable server after maxRetryTimeMs', async () => {
    await influx.stop();
    const s = open({ maxRetryTimeMs: 300 });
    const started = Date.now();
    await expect(s.writeBatch(points(3))).rejects.toThrow(/ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(s.health().ok).toBe(false);
    expect(s.health().detail).toMatch(/retries/);
  });

  it('never has more than maxInFlight requests open and fills each with up to batchSize lines from several calls', async () => {
    let open_ = 0;
    let maxOpen = 0;
    influx.handler = (_req, res) => {
      open_++;
      maxOpen = Math.max(maxOpen, open_);
      setTimeout(() => {
        open_--;
        res.writeHead(204).end();
      }, 30);
    };
    const s = open({ batchSize: 100, maxInFlight: 2 });
    await Promise.all(Array.from({ length: 20 }, (_, k) => s.writeBatch(points(45, `n${k}`))));
    expect(maxOpen).toBe(2);
    const sizes = influx.writes().map((w) => w.body.split('\n').length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(900);
    expect(Math.max(...sizes)).toBe(100);
    expect(sizes.length).toBeLessThan(20); // calls were coalesced into fuller requests
    expect(s.health().detail).toContain('900 points acknowledged');
  });

  it('refuses a batch at once when the buffer is full, and says why', async () => {
    // Held until released; a request that arrives after the release (a slow machine) is answered at once. (Releasing
    // whatever had arrived 20 ms later left a late request held forever: the test then hung to its timeout in CI.)
    const held: ServerResponse[] = [];
    let released = false;
    influx.handler = (_req, res) => (released ? res.writeHead(204).end() : held.push(res));
    const s = open({ maxBufferLines: 100, maxInFlight: 1 });
    const first = s.writeBatch(points(80));
    await expect(s.writeBatch(points(30, 'other'))).rejects.toThrow(
      /write buffer is full \(80 lines waiting, limit 100\).*retry this batch later/,
    );
    expect(s.health().detail).toContain('buffer 80/100 lines (1/1 requests in flight), 30 lines refused');
    released = true;
    for (const res of held) res.writeHead(204).end();
    await first;
  });

  it('waits for writes in flight on close, then refuses new ones; close is idempotent', async () => {
    influx.handler = (_req, res) => setTimeout(() => res.writeHead(204).end(), 50);
    const s = open();
    const pending = s.writeBatch(points(10));
    const closing = s.close();
    await expect(s.writeBatch(points(1))).rejects.toThrow(/closed/);
    await closing;
    await expect(pending).resolves.toBeUndefined();
    await expect(s.close()).resolves.toBeUndefined();
    expect(s.health().ok).toBe(false);
  });
});
