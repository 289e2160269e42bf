import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Alert } from '@opsroom/models';
import { RateLimitedLog, silentLogger, type Logger } from '../log/logger.js';
import type { AlertEvent } from './alert-service.js';

/**
 * What is posted: an alert event, or a `reminder` of an alert its owner has not acknowledged (docs/alerts.md
 * "Reminders").
 */
export type NotifyEvent = AlertEvent | 'reminder';

/** Outgoing notifications of alert events. notify() never blocks and never throws. */
export interface AlertNotifier {
  notify(event: NotifyEvent, alert: Alert): void;
  /** Stops retrying, aborts requests in flight, and resolves once nothing is left running. */
  close(): Promise<void>;
}

/** Where one node's alerts are posted, and the shared secret their bodies are signed with. */
export interface WebhookTarget {
  url: string;
  secret: string;
}

/** The webhook of a node, if it has one (from the model file; see webhook-targets.ts). */
export type WebhookLookup = (node: string) => WebhookTarget | undefined;

/** Timers, injectable so tests drive the back-off without sleeping. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** The header carrying `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'x-opsroom-signature';

/** What a webhook receives (JSON, UTF-8). The same bytes on every retry of one delivery. */
export interface WebhookPayload {
  event: NotifyEvent;
  /** Unique per delivery and stable across its retries: receivers drop duplicates by it. */
  deliveryId: string;
  /** ISO time of the first attempt; receivers may refuse old ones to stop replays. */
  sentAt: string;
  /** The node whose webhook this is: the alert's owner when the event happened. */
  node: string;
  alert: Alert;
}

export interface DeliveryOutcome {
  deliveryId: string;
  url: string;
  event: NotifyEvent;
  alertId: string;
  ok: boolean;
  attempts: number;
  /** HTTP status of the last attempt, when there was a response. */
  status?: number;
  error?: string;
}

export interface WebhookStats {
  delivered: number;
  /** Deliveries given up on (attempts exhausted, permanent refusal, or dropped at close / when full). */
  failed: number;
  /** Attempts that failed and were retried. */
  retries: number;
  /** Deliveries waiting or in flight. */
  pending: number;
}

export interface WebhookNotifierOptions {
  lookup: WebhookLookup;
  /** Events that are sent; default raised, escalated and reminder. */
  events?: readonly NotifyEvent[];
  /** Attempts per delivery, first included (default 6). */
  maxAttempts?: number;
  /** Back-off before the 2nd attempt, doubling after each failure (default 1 s)… */
  baseDelayMs?: number;
  /** …up to this (default 60 s). */
  maxDelayMs?: number;
  /** A Retry-After longer than this gives the delivery up instead of waiting (default 10 min). */
  maxRetryAfterMs?: number;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Deliveries waiting or in flight at most; more are dropped and counted (default 1000). */
  maxPending?: number;
  random?: () => number;
  now?: () => number;
  scheduler?: Scheduler;
  fetch?: typeof fetch;
  logger?: Logger;
  /** Called once per delivery when it succeeded or was given up. */
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, body). */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** What a receiver runs: true when `header` is the signature of `body` under `secret` (constant time). */
export function verifySignature(body: string, secret: string, header: string | undefined): boolean {
  if (typeof header !== 'string') return false;
  const want = Buffer.from(signBody(body, secret));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * Exponential back-off with "equal jitter": the wait before retry `n` (n = 1 after the first
 * failure) is uniform in [d/2, d] with d = min(max, base · 2^(n−1)). Spreads retries of many
 * senders while never waiting less than half the nominal delay.
 *
 * Worked example, base 1000, max 60000: n=1, random 0.5 → d = 1000, wait 500 + 0.5·500 = 750 ms;
 * n=3, random 1 → d = 4000, wait 4000 ms; n=10 → d capped at 60000, wait in [30000, 60000].
 */
export function backoffDelay(n: number, baseMs: number, maxMs: number, random: number): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, n - 1));
  return Math.round(d / 2 + Math.min(1, Math.max(0, random)) * (d / 2));
}

/** Retry-After as ms from `now`: delta-seconds (`120`) or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const t = header.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const at = Date.parse(t);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Only the origin of a URL goes to the log: chat webhooks carry their token in the path. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(bad url)';
  }
}

/** Status codes worth retrying: timeouts, rate limits and server errors. Other refusals are final. */
function retryable(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

interface Delivery {
  id: string;
  target: WebhookTarget;
  event: NotifyEvent;
  alertId: string;
  body: string;
  attempts: number;
  timer?: unknown;
  abort?: AbortController;
}

/**
 * Posts raised and escalated alerts (and reminders of unacknowledged ones) to the webhook of the node that owns them:
 * JSON, signed with
 * HMAC-SHA256 of the body (`X-Opsroom-Signature: sha256=<hex>`), retried with exponential back-off
 * and jitter (honouring Retry-After) up to a bounded number of attempts. Delivery runs on timers,
 * never in the caller; failures are counted and logged, never thrown.
 */
export class WebhookNotifier implements AlertNotifier {
  private readonly pending = new Set<Delivery>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly counts = { delivered: 0, failed: 0, retries: 0 };
  private readonly events: ReadonlySet<NotifyEvent>;
  private readonly log: Logger;
  private readonly warnLimited: RateLimitedLog;
  private readonly sched: Scheduler;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly opts: WebhookNotifierOptions) {
    this.events = new Set(opts.events ?? ['raised', 'escalated', 'reminder']);
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.warnLimited = new RateLimitedLog(this.log, 5, 60_000, this.now);
    this.sched = opts.scheduler ?? realScheduler;
    this.fetchFn = opts.fetch ?? fetch;
  }

  notify(event: NotifyEvent, alert: Alert): void {
    if (this.closed || !this.events.has(event)) return;
    let target: WebhookTarget | undefined;
    try {
      target = this.opts.lookup(alert.owner);
    } catch (err) {
      this.warnLimited.warn('lookup', { err, node: alert.owner }, 'webhook: looking up the target failed; not sent');
      return;
    }
    if (!target) return;
    const id = randomUUID();
    if (this.pending.size >= (this.opts.maxPending ?? 1000)) {
      this.counts.failed++;
      this.warnLimited.warn(
        'full',
        { node: alert.owner, alert: alert.id },
        'webhook: too many deliveries pending; this one is dropped',
      );
      this.opts.onOutcome?.({
        deliveryId: id,
        url: target.url,
        event,
        alertId: alert.id,
        ok: false,
        attempts: 0,
        error: 'queue full',
      });
      return;
    }
    const payload: WebhookPayload = {
      event,
      deliveryId: id,
      sentAt: new Date(this.now()).toISOString(),
      node: alert.owner,
      alert,
    };
    const d: Delivery = { id, target, event, alertId: alert.id, body: JSON.stringify(payload), attempts: 0 };
    this.pending.add(d);
    this.schedule(d, 0);
  }

  stats(): WebhookStats {
    return { ...this.counts, pending: this.pending.size };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const d of this.pending) {
      if (d.timer !== undefined) this.sched.clearTimeout(d.timer);
      d.abort?.abort();
    }
    await Promise.allSettled([...this.inFlight]);
    for (const d of [...this.pending]) this.finish(d, false, undefined, 'notifier closed');
  }

  private schedule(d: Delivery, ms: number): void {
    d.timer = this.sched.setTimeout(() => {
      d.timer = undefined;
      const p = this.attempt(d).catch((err: unknown) => this.log.error({ err }, 'webhook: unexpected failure'));
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }, ms);
  }

  private async attempt(d: Delivery): Promise<void> {
    if (this.closed) return;
    d.attempts++;
    const abort = new AbortController();
    d.abort = abort;
    const timeout = setTimeout(() => abort.abort(), this.opts.timeoutMs ?? 10_000);
    timeout.unref?.();
    let status: number | undefined;
    let retryAfter: number | undefined;
    let error: string | undefined;
    try {
      const res = await this.fetchFn(d.target.url, {
        method: 'POST',
        redirect: 'manual',
        signal: abort.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'opsroom-webhook/1',
          'x-opsroom-event': d.event,
          'x-opsroom-delivery': d.id,
          'x-opsroom-attempt': String(d.attempts),
          [SIGNATURE_HEADER]: signBody(d.body, d.target.secret),
        },
        body: d.body,
      });
      status = res.status;
      retryAfter = parseRetryAfter(res.headers.get('retry-after'), this.now());
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      error = abort.signal.aborted
        ? this.closed
          ? 'aborted at close'
          : 'timed out'
        : err instanceof Error
          ? err.message
          : String(err);
    } finally {
      clearTimeout(timeout);
      d.abort = undefined;
    }
    if (this.closed) return;
    if (status !== undefined && status >= 200 && status < 300) return this.finish(d, true, status);
    const why = status !== undefined ? `HTTP ${status}` : error!;
    const maxAttempts = this.opts.maxAttempts ?? 6;
    if ((status !== undefined && !retryable(status)) || d.attempts >= maxAttempts)
      return this.finish(d, false, status, why);
    const backoff = backoffDelay(
      d.attempts,
      this.opts.baseDelayMs ?? 1000,
      this.opts.maxDelayMs ?? 60_000,
      (this.opts.random ?? Math.random)(),
    );
    if (retryAfter !== undefined && retryAfter > (this.opts.maxRetryAfterMs ?? 600_000)) {
      return this.finish(
        d,
        false,
        status,
        `${why}; Retry-After of ${Math.round(retryAfter / 1000)} s is longer than allowed`,
      );
    }
    const wait = Math.max(backoff, retryAfter ?? 0);
    this.counts.retries++;
    this.warnLimited.warn(
      d.target.url,
      { url: originOf(d.target.url), attempt: d.attempts, retryInMs: wait, reason: why },
      'webhook: delivery failed; retrying',
    );
    this.schedule(d, wait);
  }

  private finish(d: Delivery, ok: boolean, status?: number, error?: string): void {
    if (!this.pending.delete(d)) return;
    if (ok) this.counts.delivered++;
    else {
      this.counts.failed++;
      this.log.warn(
        { url: originOf(d.target.url), alert: d.alertId, attempts: d.attempts, reason: error },
        'webhook: delivery given up',
      );
    }
    this.opts.onOutcome?.({
      deliveryId: d.id,
      url: d.target.url,
      event: d.event,
      alertId: d.alertId,
      ok,
      attempts: d.attempts,
      ...(status !== undefined ? { status } : {}),
      ...(error ? { error } : {}),
    });
  }
}
