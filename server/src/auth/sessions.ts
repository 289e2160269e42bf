import { randomBytes } from 'node:crypto';
import type { Model, UserDef } from '@opsroom/models';
import { OpsError } from '../errors.js';
import { AttemptLimiter } from './attempt-limiter.js';
import { UNKNOWN_ACCOUNT_HASH, verifySecretAsync } from './hash.js';
import type { SessionRepository } from './session-repository.js';
import type { StateWrites } from '../state/state-writes.js';

/** (account, address) pairs remembered as known at most: a few MB. */
const KNOWN_MAX = 20_000;

export interface SessionUser {
  name: string;
  role: UserDef['role'];
  scope: string;
}

interface Session {
  user: SessionUser;
  expires: number;
}

export interface SessionOptions {
  ttlMs: number;
  now: () => number;
  /** Failed logins allowed per (account, address) per window before refusing (default 10). */
  maxFailures?: number;
  /** Failed logins allowed per account from all addresses together (default 100). */
  maxFailuresPerAccount?: number;
  /** Failed logins allowed per address for all names together (default 50): spraying names. */
  maxFailuresPerAddress?: number;
  /** Default 15 minutes. */
  failureWindowMs?: number;
  /**
   * An address an account logged in from within this long (default 30 days, remembered in memory since the
   * server started) is not locked out by the per-account limit: someone who knows a user name cannot keep its
   * owner out from where they usually work. Its own per-(account, address) limit still applies.
   */
  knownAddressMs?: number;
  /** Keeps sessions across restarts (the state database); memory only when absent. */
  repo?: SessionRepository;
  /** Failed saves answered 503, logged, counted and shown on /healthz (start.ts passes the server's). */
  writes?: StateWrites;
}

/**
 * Logins and sessions. A session token is both the browser's httpOnly cookie value and the
 * scripts' bearer token. Login attempts are counted before the password is hashed (attempt-limiter.ts),
 * per (account, address), per account and per address; a refused attempt costs no hashing. The per-account limit
 * does not apply from an address the account logged in from lately (`knownAddressMs`).
 */
export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly limiter: AttemptLimiter;
  /** `${username}\0${address}` → when it last logged in from there (oldest first: a success re-inserts). */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly model: () => Model,
    private readonly opts: SessionOptions,
  ) {
    this.limiter = new AttemptLimiter({ now: opts.now });
  }

  async login(
    username: string,
    password: string,
    address: string,
  ): Promise<{ token: string; user: SessionUser; expires: number }> {
    const now = this.opts.now();
    const windowMs = this.opts.failureWindowMs ?? 15 * 60_000;
    const who = `${username}\u0000${address}`;
    const pair = `pair:${who}`;
    const perPair = { key: pair, max: this.opts.maxFailures ?? 10, windowMs };
    const perAddress = { key: `addr:${address}`, max: this.opts.maxFailuresPerAddress ?? 50, windowMs };
    const perAccount = { key: `acct:${username}`, max: this.opts.maxFailuresPerAccount ?? 100, windowMs };
    let attempt = this.limiter.tryAcquire([perPair, perAccount, perAddress]);
    // An account locked by failures from elsewhere still lets its owner in from an address they used lately.
    if (!attempt && this.limiter.lastRefusal?.key === perAccount.key && this.knownSince(who, now))
      attempt = this.limiter.tryAcquire([perPair, perAddress]);
    if (!attempt) {
      const retryAfterMs = this.limiter.lastRefusal?.retryAfterMs ?? windowMs;
      throw new OpsError('OPS_ERR_RATE_LIMITED', `retry in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs);
    }
    const def = this.model().users.get(username);
    // Verify against a dummy hash for unknown users too, so timing does not reveal which names exist.
    const ok = await verifySecretAsync(password, def?.passwordHash ?? UNKNOWN_ACCOUNT_HASH);
    // A disabled user is refused exactly as a wrong password (no hint that the account exists).
    if (!def || !ok || def.disabled) {
      attempt.failed();
      throw new OpsError('OPS_ERR_BAD_CREDENTIALS');
    }
    // Earlier typos from this address are forgiven; the account's and the address's totals only lose this attempt.
    attempt.succeeded([pair]);
    this.remember(who, now);
    const token = randomBytes(32).toString('base64url');
    const user: SessionUser = { name: def.name, role: def.role, scope: def.scope };
    const expires = now + this.opts.ttlMs;
    // Saved first: a session the disk refused is not handed out (it would vanish at a restart).
    this.persist('login', (repo) => repo.save(token, user, expires));
    this.sessions.set(token, { user, expires });
    return { token, user, expires };
  }

  /** True when `who` (account and address) logged in within knownAddressMs. */
  private knownSince(who: string, now: number): boolean {
    const at = this.known.get(who);
    return at !== undefined && now - at < (this.opts.knownAddressMs ?? 30 * 86_400_000);
  }

  /** Remembers a successful login's account and address; the table keeps the newest KNOWN_MAX. */
  private remember(who: string, now: number): void {
    this.known.delete(who);
    this.known.set(who, now);
    if (this.known.size > KNOWN_MAX) this.known.delete(this.known.keys().next().value!);
  }

  /** The user of a live session, or null. */
  lookup(token: string | undefined): SessionUser | null {
    if (!token || token.length > 256) return null;
    let s = this.sessions.get(token);
    if (!s && this.opts.repo) {
      s = this.opts.repo.load(token);
      if (s) this.sessions.set(token, s);
    }
    if (!s) return null;
    if (s.expires <= this.opts.now()) {
      this.forget(token);
      return null;
    }
    // A user removed from the model, disabled, or moved to another role or scope, loses the old session.
    const def = this.model().users.get(s.user.name);
    if (!def || def.disabled || def.role !== s.user.role || def.scope !== s.user.scope) {
      this.forget(token);
      return null;
    }
    return s.user;
  }

  /** Ends the session; deleted from the state database first, so a failed delete leaves it as it was (503). */
  logout(token: string | undefined): void {
    if (!token) return;
    this.persist('logout', (repo) => repo.delete(token));
    this.sessions.delete(token);
  }

  /**
   * Ends every session of `name` (a password reset: whoever knew the old one is signed out). From
   * the state database first, so a failed delete changes nothing (503).
   */
  endSessionsOf(name: string): void {
    this.persist('logout', (repo) => repo.deleteUser?.(name));
    for (const [token, s] of this.sessions) if (s.user.name === name) this.sessions.delete(token);
  }

  /**
   * A session that is no longer valid (expired, user changed): gone from memory whatever the disk
   * says; a failed delete is logged and counted, and the row is refused again when read.
   */
  private forget(token: string): void {
    this.sessions.delete(token);
    try {
      this.persist('logout', (repo) => repo.delete(token));
    } catch {
      /* logged and counted by StateWrites */
    }
  }

  private persist(operation: string, fn: (repo: SessionRepository) => void): void {
    const repo = this.opts.repo;
    if (!repo) return;
    if (this.opts.writes) this.opts.writes.save(operation, () => fn(repo));
    else fn(repo);
  }
}
