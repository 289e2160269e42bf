import { describe, it, expect } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { HttpJsonSource } from './http-json-source.js';

const answer = (body: string, status = 200) =>
  (async () =>
    new Response(body, {
      status,
      statusText: status === 200 ? 'OK' : 'Service Unavailable',
    })) as unknown as typeof fetch;

describe('HttpJsonSource', () => {
  it('reads one value per metric by path, stamped with the sample time', async () => {
    const s = new HttpJsonSource({
      name: 'meter',
      url: 'http://meter.local/api',
      metrics: { power_w: '$.meter.power', phase1_v: 'meter.phases[0].v', online: 'online' },
      fetch: answer('{"meter":{"power":"1520.5","phases":[{"v":230.1}]},"online":true}'),
    });
    expect(s.metrics).toEqual(['power_w', 'phase1_v', 'online']);
    expect(await s.sample(42)).toEqual([
      { metric: 'power_w', value: 1520.5, ts: 42 },
      { metric: 'phase1_v', value: 230.1, ts: 42 },
      { metric: 'online', value: 1, ts: 42 },
    ]);
  });

  it('skips a metric whose path is missing and warns once until it returns', async () => {
    const warnings: unknown[] = [];
    const logger = { info() {}, debug() {}, error() {}, warn: (o: unknown) => warnings.push(o) };
    let body = '{"a":1}';
    const s = new HttpJsonSource({
      name: 'x',
      url: 'http://h/',
      metrics: { a: 'a', b: 'b' },
      logger,
      fetch: (async () => new Response(body)) as unknown as typeof fetch,
    });
    expect(await s.sample(1)).toEqual([{ metric: 'a', value: 1, ts: 1 }]);
    await s.sample(2);
    expect(warnings).toHaveLength(1);
    body = '{"a":1,"b":2}';
    expect(await s.sample(3)).toHaveLength(2);
  });

  it('fails the sample on an HTTP error, a body that is not JSON, or no answer', async () => {
    await expect(
      new HttpJsonSource({ name: 'x', url: 'http://h/', metrics: { a: 'a' }, fetch: answer('busy', 503) }).sample(1),
    ).rejects.toThrow('GET http://h/ answered 503 Service Unavailable');
    await expect(
      new HttpJsonSource({ name: 'x', url: 'http://h/', metrics: { a: 'a' }, fetch: answer('<html>') }).sample(1),
    ).rejects.toThrow(/did not answer JSON \(starts "<html>"\)/);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(
      new HttpJsonSource({ name: 'x', url: `http://127.0.0.1:${port}/`, metrics: { a: 'a' } }).sample(1),
    ).rejects.toThrow(/failed: .*ECONNREFUSED/);
  });
});
