import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Finds a Debian-packaged server binary a test needs (mosquitto, chromium, victoria-metrics).
 * On a developer's laptop without it, the test is skipped with one clear line; under CI
 * (`CI=true`) a missing binary is an error, so a green CI always ran the real thing.
 *
 * Use: `const mosquitto = findBinary('mosquitto'); const d = mosquitto ? describe : describe.skip;`
 */
export function findBinary(
  name: string,
  extraDirs: string[] = ['/usr/sbin', '/usr/bin', '/usr/local/bin'],
): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  if (process.env.CI === 'true') {
    throw new Error(`${name} is required under CI=true but was not found; .ci/run must apt-get install it`);
  }
  console.warn(`SKIP: ${name} not installed; tests that need it are skipped (install the Debian package to run them)`);
  return null;
}
