import { appendFileSync } from 'node:fs';
import { expect } from '@jest/globals';

/**
 * The hostile suite's tally (`npm run test:hostile`, issue 16 point 8). A security test calls
 * this after its assertions passed, saying how many hostile attempts it made and how many the
 * server refused; the suite's reporter (server/test/hostile-reporter.js) sums them per test file
 * and prints "N attacks, N refused". Outside that suite it does nothing.
 */
export function recordAttacks(what: string, attempted: number, refused = attempted): void {
  const ledger = process.env.OPSROOM_HOSTILE_LEDGER;
  if (!ledger) return;
  const testPath = expect.getState().testPath ?? 'unknown';
  appendFileSync(ledger, JSON.stringify({ testPath, what, attempted, refused }) + '\n');
}
