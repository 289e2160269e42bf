import { randomBytes } from 'node:crypto';
import type { Model, UserDef } from '@opsroom/models';
import { OpsError } from '../errors.js';
import { verifySecretAsync } from './hash.js';
import type { SessionRepository } from './session-repository.js';

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
  /** Failed logins allowed per (account, address) per window before refusing. */
  maxFailures?: number;
  failureWindowMs?: number;
  /** Keeps sessions across restarts (the embedded store's database); memory only when absent. */
  repo?: SessionRepository;
}

/**
 * Logins and sessions. A session token is both the browser's httpOnly cookie value and the
 * scripts' bearer token. Failed logins are limited per account and address.
 */
export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly model: () => Model,
    private readonly opts: SessionOptions,
  ) {}

  async login(username: string, password: string, address: string): Promise<{ token: string; user: SessionUser; expires: number }> {
    const now = this.opts.now();
    const key = `${username}\u0000${address}`;
    const f = this.failures.get(key);
    const windowMs = this.opts.failureWindowMs ?? 15 * 60_000;
    if (f && now - f.since < windowMs && f.count >= (this.opts.maxFailures ?? 10)) throw new OpsError('OPS_ERR_RATE_LIMITED');
    const def = this.model().users.get(username);
    // Verify against a dummy hash for unknown users too, so timing does not reveal which names exist.
    const ok = await verifySecretAsync(password, def?.passwordHash ?? DUMMY_HASH);
    if (!def || !ok) {
      const cur = f && now - f.since < windowMs ? f : { count: 0, since: now };
      cur.count++;
      this.failures.set(key, cur);
      if (this.failures.size > 100_000) this.failures.clear();
      throw new OpsError('OPS_ERR_BAD_CREDENTIALS');
    }
    this.failures.delete(key);
    const token = randomBytes(32).toString('base64url');
    const user: SessionUser = { name: def.name, role: def.role, scope: def.scope };
    const expires = now + this.opts.ttlMs;
    this.sessions.set(token, { user, expires });
    this.opts.repo?.save(token, user, expires);
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
      this.logout(token);
      return null;
    }
    // A user removed from the model, or moved to another scope, loses the old session.
    const def = this.model().users.get(s.user.name);
    if (!def || def.role !== s.user.role || def.scope !== s.user.scope) {
      this.logout(token);
      return null;
    }
    return s.user;
  }

  logout(token: string | undefined): void {
    if (!token) return;
    this.sessions.delete(token);
    this.opts.repo?.delete(token);
  }
}

// scrypt hash of a random string nobody knows; only used to spend the same time on unknown users.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
