import { createHash } from 'node:crypto';
import type { StateDatabase } from '../state/state-db.js';
import type { SessionUser } from './sessions.js';

/** Where sessions outlive a restart. Only a SHA-256 of each token is kept, never the token. */
export interface SessionRepository {
  save(token: string, user: SessionUser, expires: number): void;
  load(token: string): { user: SessionUser; expires: number } | undefined;
  delete(token: string): void;
  /** Every session of one user (a password reset ends them). */
  deleteUser?(name: string): void;
  deleteExpired(now: number): void;
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

export class SqliteSessionRepository implements SessionRepository {
  private readonly insert;
  private readonly select;
  private readonly remove;
  private readonly expire;
  private readonly removeUser;

  /** On the state database (table `auth_sessions`; state/state-db.ts owns the schema). */
  constructor(db: StateDatabase) {
    this.insert = db.prepare(
      'INSERT OR REPLACE INTO auth_sessions (token_sha256, user, role, scope, expires) VALUES (?, ?, ?, ?, ?)',
    );
    this.select = db.prepare('SELECT user, role, scope, expires FROM auth_sessions WHERE token_sha256 = ?');
    this.remove = db.prepare('DELETE FROM auth_sessions WHERE token_sha256 = ?');
    this.expire = db.prepare('DELETE FROM auth_sessions WHERE expires <= ?');
    this.removeUser = db.prepare('DELETE FROM auth_sessions WHERE user = ?');
  }
  save(token: string, user: SessionUser, expires: number): void {
    this.insert.run(digest(token), user.name, user.role, user.scope, expires);
  }
  load(token: string): { user: SessionUser; expires: number } | undefined {
    const row = this.select.get(digest(token)) as
      { user: string; role: SessionUser['role']; scope: string; expires: number } | undefined;
    return row && { user: { name: row.user, role: row.role, scope: row.scope }, expires: row.expires };
  }
  delete(token: string): void {
    this.remove.run(digest(token));
  }
  deleteUser(name: string): void {
    this.removeUser.run(name);
  }
  deleteExpired(now: number): void {
    this.expire.run(now);
  }
}
