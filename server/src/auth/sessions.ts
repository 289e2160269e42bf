import { randomBytes } from 'node:crypto';
import type { Model, UserDef } from '@opsroom/models';
import { OpsError } from '../errors.js';
import { AttemptLimiter } from './attempt-limiter.js';
import { UNKNOWN_ACCOUNT_HASH, verifySecretAsync } from './hash.js';
import type { SessionRepository } from './session-repository.js';
import type { StateWrites } from '../state/state-writes.js';

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
  /** Keeps sessions across restarts (the state database); memory only when absent. */
  repo?: SessionRepository;
  /** Failed saves answered 503, logged, counted and shown on /healthz (start.ts passes the server's). */
  writes?: StateWrites;
}

/**
 * Logins and sessions. A session token is both the browser's httpOnly cookie value and the
 * scripts' bearer token. Login attempts are counted before the password is hashed (attempt-limiter.ts),
 * per (account, address), per account and per address; a refused attempt costs no hashing.
 */
export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly limiter: AttemptLimiter;

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
    const pair = `pair:${username}\u0000${address}`;
    const attempt = this.limiter.tryAcquire([
      { key: pair, max: this.opts.maxFailures ?? 10, windowMs },
      { key: `acct:${username}`, max: this.opts.maxFailuresPerAccount ?? 100, windowMs },
      { key: `addr:${address}`, max: this.opts.maxFailuresPerAddress ?? 50, windowMs },
    ]);
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
    const token = randomBytes(32).toString('base64url');
    const user: SessionUser = { name: def.name, role: def.role, scope: def.scope };
    const expires = now + this.opts.ttlMs;
    // Saved first: a session the disk refused is not handed out (it would vanish at a restart).
    this.persist('login', (repo) => repo.save(token, user, expires));
    this.sessions.set(token, { user, expires });
    return { token, user, expires };
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
