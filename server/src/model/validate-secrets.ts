import { isHashedSecret } from '../auth/hash.js';
import type { Node } from 'yaml';
import type { ModelReader } from './reader.js';

/** The command that makes a hash for the model file (see hash-command.ts). */
export const HASH_COMMAND = 'opsroom model hash-secret';

export const HASH_EXPECTED = 'a scrypt hash "scrypt$N$r$p$<salt>$<hash>"';

/**
 * The message for a plain-text `secret:` or `password:` key: the model file holds only hashes.
 * @example plainSecretKeyMessage('password', 'password_hash')
 */
export function plainSecretKeyMessage(key: string, hashKey: string): string {
  return (
    `plain-text "${key}" is not allowed in the model file; hash it with \`${HASH_COMMAND}\` ` +
    `and write the result as "${hashKey}:" instead`
  );
}

/** Reports a `secret_hash` / `password_hash` that is not a scrypt hash; returns whether it is one. */
export function checkSecretHash(
  r: ModelReader,
  node: Node | undefined,
  path: string,
  key: string,
  value: string,
): boolean {
  if (isHashedSecret(value)) return true;
  const looks = value.startsWith('scrypt$')
    ? 'is not a well-formed scrypt hash (it must have six "$"-separated parts with base64 salt and hash)'
    : 'looks like plain text, not a hash';
  r.report(node, path, `"${key}" ${looks}; make one with \`${HASH_COMMAND}\` and paste it here`, HASH_EXPECTED);
  return false;
}
