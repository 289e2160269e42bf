import { hashSecretAsync } from '../auth/hash.js';

/**
 * `opsroom model hash-secret`: prints the scrypt hash of a password or device secret for the
 * model file's `password_hash:` / `secret_hash:`. Pass the secret read from stdin (not argv, which
 * shell history keeps); one trailing newline is dropped. Returns 2 for an empty secret.
 */
export async function runHashSecret(
  secret: string,
  out: (line: string) => void,
  err: (line: string) => void = out,
): Promise<number> {
  const plain = secret.replace(/\r?\n$/, '');
  if (plain === '') {
    err('no secret given: pipe it in, e.g. `printf %s "$SECRET" | opsroom model hash-secret`');
    return 2;
  }
  out(await hashSecretAsync(plain));
  return 0;
}
