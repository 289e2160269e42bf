// Jest reporter of the hostile-input suite (`npm run test:hostile`, issue 16 point 8). Security
// tests tally their attempts with recordAttacks (support/attack-ledger.ts) into a ledger file this
// reporter creates; a test that failed counts as one attack not refused, and a passing test that
// tallied nothing counts as one attack refused. Prints one line per kind of attack and the total,
// "N attacks, N refused"; the run fails if any attack was not refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export default class HostileReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.dir = mkdtempSync(join(tmpdir(), 'opsroom-hostile-'));
    this.ledger = join(this.dir, 'ledger.jsonl');
    writeFileSync(this.ledger, '');
    process.env.OPSROOM_HOSTILE_LEDGER = this.ledger; // tests run in band, in this process
  }

  onRunComplete(_contexts, results) {
    const entries = readFileSync(this.ledger, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    rmSync(this.dir, { recursive: true, force: true });
    const rows = [];
    for (const file of results.testResults) {
      const mine = entries.filter((e) => e.testPath === file.testFilePath);
      const name = relative(this.rootDir, file.testFilePath);
      for (const e of mine) rows.push({ what: `${name}: ${e.what}`, attempted: e.attempted, refused: e.refused });
      for (const t of file.testResults) {
        if (t.status === 'failed') rows.push({ what: `${name}: FAILED ${t.fullName}`, attempted: 1, refused: 0 });
        else if (t.status === 'passed' && mine.length === 0)
          rows.push({ what: `${name}: ${t.title}`, attempted: 1, refused: 1 });
      }
    }
    const attempted = rows.reduce((n, r) => n + r.attempted, 0);
    const refused = rows.reduce((n, r) => n + r.refused, 0);
    const out = ['', 'Hostile-input suite (issue 16):'];
    for (const r of rows)
      out.push(`  ${String(r.attempted).padStart(6)} attacks, ${String(r.refused).padStart(6)} refused  ${r.what}`);
    out.push('', `${attempted} attacks, ${refused} refused`, '');
    process.stdout.write(out.join('\n'));
    if (refused < attempted) process.exitCode = 1;
  }
}
