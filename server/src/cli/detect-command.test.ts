import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createDetector } from '../vsm/detectors/index.js';
import { DETECT_COLUMNS, runDetectCommand } from './detect-command.js';
import { LINE_SINK_CHUNK_CHARS } from './line-sink.js';

const BIN = fileURLToPath(new URL('../../bin/opsroom.js', import.meta.url));
const T0 = Date.UTC(2014, 3, 1);
const STEP = 300_000; // 5 minutes

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsroom-detect-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
/** Writes `lines` to a new file (in its own folder, so basenames may repeat) and returns its path. */
function csv(lines: string[], name = 'in.csv', ending = '\n'): string {
  const folder = join(dir, `f${++fileNo}`);
  mkdirSync(folder);
  const file = join(folder, name);
  writeFileSync(file, lines.join(ending) + ending);
  return file;
}

/** Readings around 20, then a step to 80 at row 300 (and back at 20,000, for long series). */
function values(n: number): number[] {
  return Array.from(
    { length: n },
    (_, i) => (i % 20_000 >= 300 && i % 20_000 < 15_000 ? 80 : 20) + ((i * 7919) % 13) / 13,
  );
}

function isoRows(n: number): string[] {
  return values(n).map((v, i) => `${new Date(T0 + i * STEP).toISOString().replace('T', ' ').slice(0, 19)},${v}`);
}

/** The four added columns as createDetector() gives them for these readings. */
function direct(rows: Array<[ts: number, value: number]>) {
  const d = createDetector();
  return rows.map(([ts, v]) => d.update(v, ts));
}

/** A Writable that collects text; `slow` acknowledges each write only on a later turn of the event loop. */
class Collector extends Writable {
  text = '';
  drains = 0;
  maxBuffered = 0;
  constructor(private readonly slow = false) {
    super({ highWaterMark: 16 * 1024, decodeStrings: false });
    this.on('drain', () => this.drains++);
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.text += chunk.toString();
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    if (this.slow) setImmediate(cb);
    else cb();
  }
  get lines(): string[] {
    return this.text.split('\n').slice(0, -1);
  }
}

async function detect(argv: string[], stdout = new Collector()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDetectCommand(argv, { stdout, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, lines: stdout.lines, out, err, stdout };
}

function spawnDetect(args: string[]) {
  return spawn(process.execPath, [BIN, 'detect', ...args], {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('opsroom detect FILE (to stdout)', () => {
  it('writes the header, then each row as written with the score, alert, kind and probability createDetector() gives', async () => {
    const rows = isoRows(400);
    const { code, lines, err } = await detect([csv(['timestamp,value', ...rows])]);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(lines[0]).toBe('timestamp,value,anomaly_score,alert,kind,probability');
    expect(lines).toHaveLength(401);
    const want = direct(values(400).map((v, i) => [T0 + i * STEP, v]));
    lines.slice(1).forEach((line, i) => {
      const [ts, value, score, alert, kind, probability, ...extra] = line.split(',');
      expect(`${ts},${value}`).toBe(rows[i]);
      expect(extra).toEqual([]);
      expect(score).toBe(String(want[i]!.score));
      expect(alert).toBe(want[i]!.alert ? '1' : '0');
      expect(kind).toBe(want[i]!.kind);
      expect(probability).toMatch(/^[01](\.\d{1,4})?$/);
      expect(Math.abs(Number(probability) - want[i]!.probability)).toBeLessThanOrEqual(0.00005);
    });
    // The series exercises the columns: a step raises an alert, which the detector then updates.
    expect(want.filter((o) => o.alert).length).toBeGreaterThan(0);
    expect(lines.slice(1).filter((l) => l.split(',')[3] === '1').length).toBe(want.filter((o) => o.alert).length);
  });

  it('writes the header also when the input has none, and reads each timestamp form to the same result', async () => {
    const vs = values(400);
    const forms = [
      (t: number) => new Date(t).toISOString(), // …Z with milliseconds
      (t: number) => new Date(t + 7_200_000).toISOString().slice(0, 19) + '+02:00',
      (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19), // no offset: UTC
      (t: number) => String(t), // epoch ms
      (t: number) => String(t / 1000), // epoch s
      (t: number) => (t / 1000).toFixed(1), // epoch s with a decimal
    ];
    const results = await Promise.all(forms.map((f) => detect([csv(vs.map((v, i) => `${f(T0 + i * STEP)},${v}`))])));
    const added = (lines: string[]) => lines.map((l) => l.split(',').slice(2).join(','));
    for (const { code, lines } of results) {
      expect(code).toBe(0);
      expect(lines[0]).toBe(DETECT_COLUMNS);
      expect(lines).toHaveLength(401);
      expect(added(lines)).toEqual(added(results[0]!.lines));
    }
    expect(results[1]!.lines[1]).toBe(
      `2014-04-01T02:00:00+02:00,${vs[0]},0,0,none,${results[0]!.lines[1]!.split(',')[5]}`,
    );
  });

  it('reads CRLF line ends, a byte order mark, blank lines and spaces around fields, keeping the text as written', async () => {
    const file = csv(
      ['\uFEFFtimestamp,value', '2014-04-01 00:00:00, 20.50', '', '2014-04-01 00:05:00 ,21'],
      'in.csv',
      '\r\n',
    );
    const { code, lines } = await detect([file]);
    expect(code).toBe(0);
    expect(lines.map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      'timestamp,value',
      '2014-04-01 00:00:00, 20.50',
      '2014-04-01 00:05:00 ,21',
    ]);
    expect(lines.some((l) => l.includes('\r'))).toBe(false);
  });

  it('takes a first line that reads as a row for data, not a header (1e3 is a number), and a last line without a line end', async () => {
    const file = csv([]);
    writeFileSync(file, '1396310400,1e3\n1396310700,1e3');
    const { code, lines } = await detect([file]);
    expect(code).toBe(0);
    expect(lines).toHaveLength(3);
    expect(lines[1]!.startsWith('1396310400,1e3,')).toBe(true);
    expect(lines[2]!.startsWith('1396310700,1e3,')).toBe(true);
  });

  it('writes only the header for an empty file and says there were no rows', async () => {
    const { code, lines, err } = await detect([csv(['timestamp,value'])]);
    expect(code).toBe(0);
    expect(lines).toEqual([DETECT_COLUMNS]);
    expect(err).toEqual([expect.stringMatching(/no rows/)]);
  });

  it.each([
    ['a row with three fields', '2014-04-01 00:10:00,1,2', /:4: expected 2 fields \(timestamp,value\), got 3/],
    ['a row with one field', '2014-04-01 00:10:00', /:4: expected 2 fields \(timestamp,value\), got 1/],
    ['an unreadable timestamp', '01/04/2014 00:10,1', /:4: unreadable timestamp "01\/04\/2014 00:10"/],
    ['an impossible date', '2014-02-30 00:10:00,1', /:4: unreadable timestamp/],
    ['a value that is not a number', '2014-04-01 00:10:00,abc', /:4: value "abc" is not a finite number/],
    ['an empty value', '2014-04-01 00:10:00,', /:4: value "" is not a finite number/],
    ['NaN', '2014-04-01 00:10:00,NaN', /:4: value "NaN" is not a finite number/],
    ['Infinity', '2014-04-01 00:10:00,Infinity', /:4: value "Infinity" is not a finite number/],
    ['a value beyond float range', '2014-04-01 00:10:00,1e999', /:4: value "1e999" is not a finite number/],
  ])('stops at %s with FILE:LINE and exit code 1, after the rows before it', async (_what, bad, message) => {
    const file = csv([
      'timestamp,value',
      '2014-04-01 00:00:00,1',
      '2014-04-01 00:05:00,2',
      bad,
      '2014-04-01 00:15:00,3',
    ]);
    const { code, lines, err } = await detect([file]);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]!.startsWith(`${file}:4: `)).toBe(true);
    expect(err[0]).toMatch(message);
    expect(lines).toHaveLength(3); // header and the two good rows
  });

  it('says so when the file cannot be read (exit code 1)', async () => {
    const { code, err } = await detect([join(dir, 'no-such-dir', 'missing.csv')]);
    expect(code).toBe(1);
    expect(err[0]).toMatch(/cannot read .*missing\.csv: ENOENT/);
  });

  it('refuses several files without --out-dir, and no file at all, as usage errors (exit code 2)', async () => {
    const a = csv(isoRows(3));
    const several = await detect([a, a]);
    expect(several.code).toBe(2);
    expect(several.err[0]).toMatch(/2 input files need --out-dir DIR/);
    expect(several.lines).toEqual([]);
    expect((await detect([])).code).toBe(2);
    expect((await detect(['--bogus', a])).code).toBe(2);
  });

  it('waits for a slow writer to drain and delivers every row, holding about one chunk at a time', async () => {
    const n = 20_000;
    const slow = new Collector(true);
    const { code, lines } = await detect([csv(isoRows(n))], slow);
    expect(code).toBe(0);
    expect(lines).toHaveLength(n + 1);
    expect(slow.text.length).toBeGreaterThan(10 * LINE_SINK_CHUNK_CHARS);
    expect(slow.drains).toBeGreaterThan(5);
    expect(slow.maxBuffered).toBeLessThan(3 * LINE_SINK_CHUNK_CHARS);
  });

  it('--help names every column and timestamp form', async () => {
    const { code, out } = await detect(['--help']);
    expect(code).toBe(0);
    for (const word of [
      ...DETECT_COLUMNS.split(','),
      '--out-dir',
      'ISO-8601',
      'epoch milliseconds',
      'epoch seconds',
      '| head',
      'FILE:LINE',
    ]) {
      expect(out[0]).toContain(word);
    }
  });
});

describe('opsroom detect --out-dir DIR FILE…', () => {
  it('writes DIR/<basename> for each file with a fresh detector, creating DIR, with a progress line each', async () => {
    const rows = ['timestamp,value', ...isoRows(400)];
    const [a, b] = [csv(rows, 'a.csv'), csv(rows, 'b.csv')];
    const outDir = join(dir, 'out1', 'nested');
    const { code, err, lines } = await detect(['--out-dir', outDir, a, b]);
    expect(code).toBe(0);
    expect(lines).toEqual([]); // nothing on stdout
    expect(readdirSync(outDir).sort()).toEqual(['a.csv', 'b.csv']);
    const alone = (await detect([a])).stdout.text;
    expect(readFileSync(join(outDir, 'a.csv'), 'utf8')).toBe(alone);
    expect(readFileSync(join(outDir, 'b.csv'), 'utf8')).toBe(alone); // not continuing a's detector
    const alerts = direct(values(400).map((v, i) => [T0 + i * STEP, v])).filter((o) => o.alert).length;
    expect(err).toEqual([
      `detect: ${a}: 400 rows, ${alerts} alert${alerts === 1 ? '' : 's'} -> ${join(outDir, 'a.csv')}`,
      `detect: ${b}: 400 rows, ${alerts} alert${alerts === 1 ? '' : 's'} -> ${join(outDir, 'b.csv')}`,
    ]);
  });

  it('groups thousands in the progress line', async () => {
    const outDir = join(dir, 'out-big');
    const { code, err } = await detect(['--out-dir', outDir, csv(isoRows(4032), 'big.csv')]);
    expect(code).toBe(0);
    expect(err[0]).toMatch(/^detect: .*big\.csv: 4,032 rows, \d+ alerts? -> .*big\.csv$/);
  });

  it('refuses two inputs with the same basename and writes nothing', async () => {
    const outDir = join(dir, 'out2');
    const { code, err } = await detect(['--out-dir', outDir, csv(isoRows(3), 'x.csv'), csv(isoRows(3), 'x.csv')]);
    expect(code).toBe(2);
    expect(err[0]).toMatch(/would both be written to .*x\.csv/);
    expect(existsSync(outDir)).toBe(false);
  });

  it('refuses to overwrite an input with its own output', async () => {
    const file = csv(isoRows(3), 'self.csv');
    const before = readFileSync(file, 'utf8');
    const { code, err } = await detect(['--out-dir', join(file, '..'), file]);
    expect(code).toBe(2);
    expect(err[0]).toMatch(/overwritten by its own output/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('leaves no partial output when a row is bad, and still writes the files before and after it', async () => {
    const good = csv(isoRows(50), 'good.csv');
    const rows = isoRows(5000); // several chunks are written before the bad row
    rows.splice(4000, 0, '2014-04-15 00:00:00,oops');
    const bad = csv(rows, 'bad.csv');
    const later = csv(isoRows(50), 'later.csv');
    const outDir = join(dir, 'out3');
    const { code, err } = await detect(['--out-dir', outDir, good, bad, later]);
    expect(code).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(/good\.csv: 50 rows/),
      `${bad}:4001: value "oops" is not a finite number`,
      expect.stringMatching(/later\.csv: 50 rows/),
      `detect: 1 of 3 files not written (bad input): ${bad}`,
    ]);
    expect(readdirSync(outDir).sort()).toEqual(['good.csv', 'later.csv']); // no bad.csv, no temporary file
    expect(readFileSync(join(outDir, 'good.csv'), 'utf8').split('\n')).toHaveLength(52);
    expect(readFileSync(join(outDir, 'later.csv'), 'utf8')).toBe(readFileSync(join(outDir, 'good.csv'), 'utf8'));
  });

  it('leaves nothing in DIR when the first row of the only file is bad', async () => {
    const outDir = join(dir, 'out4');
    const file = csv(['timestamp,value', 'yesterday,1'], 'early.csv');
    const { code, err } = await detect(['--out-dir', outDir, file]);
    expect(code).toBe(1);
    expect(err).toEqual([
      `${file}:2: unreadable timestamp "yesterday": expected ISO-8601, epoch milliseconds or epoch seconds (opsroom detect --help)`,
      `detect: 1 of 1 file not written (bad input): ${file}`,
    ]);
    expect(readdirSync(outDir)).toEqual([]);
  });
});

describe('opsroom detect as a process on a pipe', () => {
  const n = 50_000; // about 3 MB of output: far more than a pipe holds
  let big: string;
  beforeAll(() => {
    big = csv(['timestamp,value', ...isoRows(n)], 'big.csv');
  });

  it('delivers every row to a reader that stops reading for a while, and exits 0', async () => {
    const child = spawnDetect([big]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const chunks: Buffer[] = [];
    const firstChunk = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await firstChunk;
    child.stdout.pause(); // the pipe fills up; the child has to wait (longer than it needs for all rows)
    const exited = await Promise.race([
      closed.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 400)),
    ]);
    child.stdout.resume();
    const code = await closed;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(exited).toBe(false); // it could not finish while nobody read
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.split('\n')).toHaveLength(n + 2); // header, n rows, '' after the last line end
    expect(text.endsWith('\n')).toBe(true);
  }, 15_000);

  it('exits 0 quietly when the reader closes the pipe after three lines (| head -3)', async () => {
    const child = spawnDetect([big]);
    let stderr = '';
    let seen = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.split('\n').length > 3) child.stdout.destroy();
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (c, s) => resolve([c, s])),
    );
    expect(stderr).toBe('');
    expect(signal).toBeNull();
    expect(code).toBe(0);
  }, 15_000);
});
