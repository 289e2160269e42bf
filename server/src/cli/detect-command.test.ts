import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDetect } from './detect-command.js';

function csv(rows: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'detect-'));
  const file = join(dir, 'in.csv');
  writeFileSync(file, rows.join('\n'));
  return file;
}

async function detect(file: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDetect(file, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

function series(): string[] {
  const rows = ['timestamp,value'];
  for (let i = 0; i < 400; i++) {
    const t = new Date(Date.UTC(2014, 3, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    rows.push(`${t},${(i < 300 ? 20 : 80) + ((i * 7919) % 13) / 13}`);
  }
  return rows;
}

describe('opsroom detect', () => {
  it('writes the same rows with an anomaly_score column in [0,1], and flags a step', async () => {
    const rows = series();
    const { code, out, err } = await detect(csv(rows));
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toBe('timestamp,value,anomaly_score');
    expect(out).toHaveLength(rows.length);
    const scores = out.slice(1).map((l, i) => {
      expect(l.startsWith(rows[i + 1]! + ',')).toBe(true);
      return Number(l.split(',')[2]);
    });
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(Math.max(...scores.slice(300, 303))).toBeGreaterThanOrEqual(0.99);
    expect(Math.max(...scores.slice(100, 300))).toBeLessThan(0.99);
  });

  it('is deterministic for the same input', async () => {
    const file = csv(series());
    expect((await detect(file)).out).toEqual((await detect(file)).out);
  });

  it('rejects a malformed row with the file and line number and exit code 1', async () => {
    const { code, err } = await detect(csv(['timestamp,value', '2014-04-01 00:00:00,1', '2014-04-01 00:05:00,abc']));
    expect(code).toBe(1);
    expect(err[0]).toMatch(/in\.csv:3: expected "timestamp,value"/);
  });

  it('says so when the file cannot be read', async () => {
    const { code, err } = await detect(join(tmpdir(), 'no-such-dir-xyz', 'missing.csv'));
    expect(code).toBe(1);
    expect(err[0]).toMatch(/cannot read/);
  });
});
