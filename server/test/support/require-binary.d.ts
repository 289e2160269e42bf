/**
 * Finds a Debian-packaged server binary a test needs (mosquitto, chromium, victoria-metrics).
 * On a developer's laptop without it, the test is skipped with one clear line; under CI
 * (`CI=true`) a missing binary is an error, so a green CI always ran the real thing.
 *
 * Use: `const mosquitto = findBinary('mosquitto'); const d = mosquitto ? describe : describe.skip;`
 */
export declare function findBinary(name: string, extraDirs?: string[]): string | null;
