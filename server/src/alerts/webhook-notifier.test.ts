import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import { raiseAlert } from './alert-lifecycle.js';
import {
  backoffDelay,
  parseRetryAfter,
  signBody,
  verifySignature,
  WebhookNotifier,
  type DeliveryOutcome,
  type Scheduler,
  type WebhookNotifierOptions,
  type WebhookPayload,
} from './webhook-notifier.js';

/** Timers that only run when the test says so; `next()` waits for the next one to be set, runs it, and returns its delay. */
class ManualScheduler implements Scheduler {
  private timers: Array<{ fn: () => void; ms: number; id: number }> = [];
  private seq = 0;
  private wake: (() => void) | null = null;
  readonly delays: number[] = [];
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.push({ fn, ms, id });
    this.delays.push(ms);
    this.wake?.();
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  get size(): number {
    return this.timers.length;
  }
  async next(): Promise<number> {
    while (!this.timers.length) await new Promise<void>((resolve) => (this.wake = resolve));
    const t = this.timers.shift()!;
    t.fn();
    return t.ms;
  }
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const SECRET = 'shared-secret-of-r-a';
const alert: Alert = raiseAlert(
  {
    id: 'alert-1',
    node: 'r/a/a1',
    indicator: 'output',
    kind: 'step',
    probability: 0.97,
    score: 0.99,
    value: 500,
    raisedAt: 1_000_000,
  },
  60_000,
  'step change',
);
const escalated: Alert = { ...alert, owner: 'r/a', path: ['r/a/a1', 'r/a'], state: 'escalated' };

describe('WebhookNotifier against a real HTTP server on 127.0.0.1', () => {
  let server: Server;
  let url: string;
  let replies: Array<{ status: number; headers?: Record<string, string> }>;
  const received: Received[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        const r = replies.shift() ?? { status: 200 };
        res.writeHead(r.status, r.headers ?? {});
        res.end(r.status === 200 ? 'ok' : 'nope');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/opsroom`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received.length = 0;
    replies = [];
  });

  const make = (over: Partial<WebhookNotifierOptions> = {}) => {
    const sched = new ManualScheduler();
    const outcomes: DeliveryOutcome[] = [];
    let settle: (o: DeliveryOutcome) => void = () => {};
    const settled = new Promise<DeliveryOutcome>((resolve) => (settle = resolve));
    const notifier = new WebhookNotifier({
      lookup: (node) => (node === 'r/a' || node === 'r/a/a1' ? { url, secret: SECRET } : undefined),
      scheduler: sched,
      random: () => 0.5,
      now: () => 1_000_000,
      maxAttempts: 4,
      onOutcome: (o) => {
        outcomes.push(o);
        settle(o);
      },
      ...over,
    });
    return { notifier, sched, outcomes, settled };
  };

  it('retries a failing hook with exponential back-off, honours Retry-After, and delivers the same signed body', async () => {
    replies = [{ status: 503 }, { status: 429, headers: { 'retry-after': '7' } }, { status: 200 }];
    const { notifier, sched, settled } = make();
    notifier.notify('escalated', escalated);
    expect(received).toHaveLength(0); // nothing happens in the caller
    expect(await sched.next()).toBe(0); // first attempt: at once, but on a timer
    expect(await sched.next()).toBe(750); // after the 503: base 1000 · 2^0, equal jitter at 0.5
    expect(await sched.next()).toBe(7000); // after the 429: Retry-After 7 s beats the back-off of 1500
    const outcome = await settled;
    expect(outcome).toMatchObject({ ok: true, attempts: 3, status: 200, event: 'escalated', alertId: 'alert-1' });
    expect(notifier.stats()).toEqual({ delivered: 1, failed: 0, retries: 2, pending: 0 });

    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(received.map((r) => r.headers['x-opsroom-attempt'])).toEqual(['1', '2', '3']);
    for (const r of received) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-opsroom-event']).toBe('escalated');
      expect(r.headers['x-opsroom-delivery']).toBe(outcome.deliveryId);
      expect(r.headers['x-opsroom-signature']).toBe(signBody(r.body, SECRET));
      expect(verifySignature(r.body, SECRET, r.headers['x-opsroom-signature'] as string)).toBe(true);
      expect(verifySignature(r.body, 'another secret', r.headers['x-opsroom-signature'] as string)).toBe(false);
    }
    const payload = JSON.parse(received[0]!.body) as WebhookPayload;
    expect(payload).toMatchObject({
      event: 'escalated',
      node: 'r/a',
      deliveryId: outcome.deliveryId,
      sentAt: new Date(1_000_000).toISOString(),
    });
    expect(payload.alert).toEqual(escalated);
  });

  it('gives up after the bounded number of attempts and counts the failure', async () => {
    replies = [{ status: 500 }, { status: 502 }, { status: 503 }, { status: 504 }, { status: 200 }];
    const { notifier, sched, settled } = make();
    notifier.notify('raised', alert);
    const delays = [await sched.next(), await sched.next(), await sched.next(), await sched.next()];
    expect(delays).toEqual([0, 750, 1500, 3000]);
    expect(await settled).toMatchObject({ ok: false, attempts: 4, status: 504, error: 'HTTP 504' });
    expect(sched.size).toBe(0);
    expect(received).toHaveLength(4);
    expect(notifier.stats()).toEqual({ delivered: 0, failed: 1, retries: 3, pending: 0 });
  });

  it('does not retry a refusal that will not change (4xx other than 408/425/429)', async () => {
    replies = [{ status: 400 }];
    const { notifier, sched, settled } = make();
    notifier.notify('raised', alert);
    await sched.next();
    expect(await settled).toMatchObject({ ok: false, attempts: 1, status: 400 });
    expect(sched.size).toBe(0);
  });

  it('retries when the hook cannot be reached at all', async () => {
    const { notifier, sched, settled } = make({
      lookup: () => ({ url: 'http://127.0.0.1:1/hook', secret: SECRET }),
      maxAttempts: 2,
    });
    notifier.notify('raised', alert);
    expect([await sched.next(), await sched.next()]).toEqual([0, 750]);
    const o = await settled;
    expect(o.ok).toBe(false);
    expect(o.attempts).toBe(2);
    expect(o.status).toBeUndefined();
  });

  it('gives up instead of waiting when Retry-After is longer than allowed', async () => {
    replies = [{ status: 503, headers: { 'retry-after': '3600' } }];
    const { notifier, sched, settled } = make({ maxRetryAfterMs: 60_000 });
    notifier.notify('raised', alert);
    await sched.next();
    expect(await settled).toMatchObject({
      ok: false,
      attempts: 1,
      error: expect.stringMatching(/Retry-After of 3600 s/),
    });
  });

  it("sends only raised and escalated alerts, only for nodes with a webhook, to the owner's hook", async () => {
    const looked: string[] = [];
    const { notifier, sched } = make({ lookup: (node) => (looked.push(node), undefined) });
    notifier.notify('updated', alert);
    notifier.notify('resolved', alert);
    notifier.notify('raised', { ...alert, owner: 'r/b/b1' });
    notifier.notify('escalated', escalated);
    expect(looked).toEqual(['r/b/b1', 'r/a']);
    expect(sched.size).toBe(0);
  });

  it('never throws into the caller, even when the lookup does', () => {
    const { notifier, sched } = make({
      lookup: () => {
        throw new Error('model not loaded');
      },
    });
    expect(() => notifier.notify('raised', alert)).not.toThrow();
    expect(sched.size).toBe(0);
    expect(notifier.stats().pending).toBe(0);
  });

  it('drops and counts deliveries beyond the pending limit', () => {
    const { notifier, outcomes } = make({ maxPending: 2 });
    for (let i = 0; i < 3; i++) notifier.notify('raised', alert);
    expect(notifier.stats()).toMatchObject({ pending: 2, failed: 1 });
    expect(outcomes).toEqual([expect.objectContaining({ ok: false, attempts: 0, error: 'queue full' })]);
  });

  it('stops retrying on close, counting what was left', async () => {
    replies = [{ status: 503 }];
    const { notifier, sched, outcomes } = make();
    notifier.notify('raised', alert);
    await sched.next();
    while (sched.size === 0) await new Promise((r) => setImmediate(r)); // the retry is scheduled
    await notifier.close();
    expect(sched.size).toBe(0);
    expect(outcomes).toEqual([expect.objectContaining({ ok: false, attempts: 1, error: 'notifier closed' })]);
    notifier.notify('raised', alert); // after close: ignored
    expect(notifier.stats()).toEqual({ delivered: 0, failed: 1, retries: 1, pending: 0 });
    expect(received).toHaveLength(1);
  });
});

describe('webhook helpers', () => {
  it('signs with HMAC-SHA256 (RFC 4231 test case 2)', () => {
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(verifySignature('x', 'k', undefined)).toBe(false);
    expect(verifySignature('x', 'k', 'sha256=00')).toBe(false);
  });

  it('doubles the back-off up to the cap, jittered within [d/2, d]', () => {
    expect(backoffDelay(1, 1000, 60_000, 0.5)).toBe(750);
    expect(backoffDelay(3, 1000, 60_000, 1)).toBe(4000);
    expect(backoffDelay(3, 1000, 60_000, 0)).toBe(2000);
    expect(backoffDelay(10, 1000, 60_000, 0)).toBe(30_000);
    expect(backoffDelay(10, 1000, 60_000, 1)).toBe(60_000);
  });

  it('reads Retry-After as seconds or as an HTTP date, and ignores anything else', () => {
    const now = Date.parse('2024-05-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 May 2024 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 May 2024 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
