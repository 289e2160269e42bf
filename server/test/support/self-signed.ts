import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A self-signed certificate for 127.0.0.1 (one day, RSA 2048) made with the `openssl` binary at
 * `openssl`, written to `dir` as `<name>.cert.pem` and `<name>.key.pem`.
 * @example const { cert, key } = selfSignedCert(findBinary('openssl')!, dir); // dir/server.cert.pem …
 */
export function selfSignedCert(openssl: string, dir: string, name = 'server'): { cert: string; key: string } {
  const cert = join(dir, `${name}.cert.pem`);
  const key = join(dir, `${name}.key.pem`);
  const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  execFileSync(
    openssl,
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', ...subject],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
