import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createDetector, type DetectorOutput } from '../vsm/detectors/index.js';
import { LineSink } from './line-sink.js';
import { parseTimestamp } from './parse-timestamp.js';
import { readLineBatches } from './read-lines.js';

/** The header line of every output, first. */
export const DETECT_COLUMNS = 'timestamp,value,anomaly_score,alert,kind,probability';

export const DETECT_USAGE =
  'usage: opsroom detect FILE.csv  |  opsroom detect --out-dir DIR FILE.csv…  (opsroom detect --help)';

export const DETECT_HELP = `opsroom detect FILE.csv                  rows to stdout
opsroom detect --out-dir DIR FILE.csv…   DIR/<basename of FILE> for each FILE

Runs the server's anomaly detector (createDetector(): the Cyberstride ensemble with the server's
settings) over each file's timestamp,value rows in order, one fresh detector per file, and writes
every row with four more columns. A row's columns depend only on it and the rows before it (the
detector sees only past rows, as it does live); the output is deterministic.

Input: one timestamp,value row per line, in time order
  An optional header on line 1 (recognised by neither field reading as a timestamp or a value).
  Blank lines are skipped; line ends \\n or \\r\\n; spaces around a field are ignored.
  timestamp   ISO-8601: 2014-04-10T09:15:00+02:00, 2014-04-10T07:15:00Z,
              2014-04-10 07:15:00.250 (no offset: UTC, not local time), 2014-04-10
              epoch milliseconds: an integer >= 1e11, e.g. 1397114100000
              epoch seconds: an integer or decimal < 1e11, e.g. 1397114100 or 1397114100.5
  value       a finite decimal number: 12, -0.5, 1.2e3

Output: the header line first (always), then one line per row
  timestamp,value  the row's own text, as written in the input
  anomaly_score    0..1, full precision: how unlikely the value is given the past
                   (0 while the detector is still learning the series)
  alert            1 exactly where the server would raise an alert for this series or update its
                   open one (for instance a new kind); else 0
  kind             none | change (anomalous, kind not yet decided) | step | slope | transient | flatline
  probability      0..1, at most 4 decimals: the detector's probability of that kind
                   (for none: of the steady state)

  With --out-dir, DIR is created if need be; two FILEs with the same basename, or an output that
  would overwrite its own input, are refused. One progress line per file on stderr:
    detect: a.csv: 4,032 rows, 3 alerts -> DIR/a.csv
  Rows go out as fast as the reader takes them (a slow pipe slows detect down; no row is lost);
  when the reader of stdout goes away (| head) detect stops quietly with exit code 0.

Errors: a bad row (not two fields, an unreadable timestamp, a value that is not a finite number)
stops with "FILE:LINE: what is wrong" on stderr and exit code 1.
  stdout       the rows before the bad one have been written (rows are streamed, not held back).
  --out-dir    nothing partial is left: each output is written to a temporary file in DIR and
               renamed when complete. That file's output is not written; the other files are,
               and a last line names the files not written.

Exit codes: 0 done; 1 a bad row, or a file that cannot be read or written; 2 bad usage.`;

/**
 * Where `opsroom detect` writes: rows to `stdout` (one file, no --out-dir); help to `out`; errors and progress to
 * `err`.
 */
export interface DetectIo {
  stdout: Writable;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Progress (one line per file written); default `err`. Quieted by --log-level warn and above. */
  info?: (line: string) => void;
}

/** `opsroom detect …` (argv after "detect"). Returns the exit code. */
export async function runDetectCommand(argv: string[], io: DetectIo): Promise<number> {
  let values: { 'out-dir'?: string; help?: boolean };
  let files: string[];
  try {
    ({ values, positionals: files } = parseArgs({
      args: argv,
      options: { 'out-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  if (values.help) {
    io.out(DETECT_HELP);
    return 0;
  }
  if (files.length === 0) return usageError(io, 'no input file');
  const outDir = values['out-dir'];
  if (outDir === undefined) {
    if (files.length > 1)
      return usageError(io, `${files.length} input files need --out-dir DIR (stdout takes one file)`);
    return detectToStdout(files[0]!, io);
  }
  if (outDir === '') return usageError(io, '--out-dir needs a directory');
  return detectToDir(files, outDir, io);
}

function usageError(io: DetectIo, problem: string): number {
  io.err(`opsroom detect: ${problem}\n${DETECT_USAGE}`);
  return 2;
}

/** A row the detector cannot take, or a file that cannot be read: reported as is, exit code 1. */
export class DetectInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DetectInputError';
  }
}

async function detectToStdout(file: string, io: DetectIo): Promise<number> {
  const sink = new LineSink(io.stdout);
  try {
    const { rows } = await detectFile(file, sink);
    await sink.finish();
    if (rows === 0 && !sink.readerGone) io.err(`detect: ${file}: no rows`);
    return 0;
  } catch (e) {
    if (!(e instanceof DetectInputError)) {
      io.err(`detect: cannot write stdout: ${(e as Error).message}`);
      return 1;
    }
    // The rows before the bad one go out whole, so what stdout received is a clean prefix.
    await sink.finish().catch(() => undefined);
    io.err(e.message);
    return 1;
  }
}

async function detectToDir(files: string[], outDir: string, io: DetectIo): Promise<number> {
  const seen = new Map<string, string>();
  for (const file of files) {
    const name = basename(file);
    const first = seen.get(name);
    if (first !== undefined)
      return usageError(io, `${first} and ${file} would both be written to ${join(outDir, name)}`);
    seen.set(name, file);
    if (resolve(outDir, name) === resolve(file))
      return usageError(io, `${file} would be overwritten by its own output; choose another --out-dir`);
  }
  try {
    await mkdir(outDir, { recursive: true });
  } catch (e) {
    io.err(`detect: cannot create ${outDir}: ${(e as Error).message}`);
    return 1;
  }
  const skipped: string[] = [];
  for (const file of files) {
    const dest = join(outDir, basename(file));
    // A hidden temporary beside the output, renamed when complete: the output is whole or absent.
    const temp = join(outDir, `.${basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    const stream = createWriteStream(temp, { flags: 'wx' });
    const sink = new LineSink(stream);
    try {
      const { rows, alerts } = await detectFile(file, sink);
      await sink.finish({ end: true });
      await rename(temp, dest);
      (io.info ?? io.err)(`detect: ${file}: ${count(rows, 'row')}, ${count(alerts, 'alert')} -> ${dest}`);
    } catch (e) {
      // Closed first: a stream still opening would create the file after rm.
      if (!stream.closed) await new Promise<void>((done) => stream.once('close', () => done()).destroy());
      await rm(temp, { force: true }).catch(() => undefined);
      if (!(e instanceof DetectInputError)) {
        // DIR itself fails (a full disk, say): the files after this one would fail too.
        io.err(`detect: cannot write ${dest}: ${(e as Error).message}`);
        return 1;
      }
      // A bad file loses nothing else: the files after it are still written.
      io.err(e.message);
      skipped.push(file);
    }
  }
  if (skipped.length === 0) return 0;
  io.err(`detect: ${skipped.length} of ${count(files.length, 'file')} not written (bad input): ${skipped.join(', ')}`);
  return 1;
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * Runs one fresh detector over `file` and writes the header and every row to `sink`. Stops early,
 * without error, when the sink's reader has gone. Throws DetectInputError for a bad row or an
 * unreadable file, and the sink's error when writing fails.
 */
async function detectFile(file: string, sink: LineSink): Promise<{ rows: number; alerts: number }> {
  const detector = createDetector();
  const batches = readLineBatches(file);
  let lineNo = 0;
  let rows = 0;
  let alerts = 0;
  try {
    let wait = sink.write(DETECT_COLUMNS);
    if (wait) await wait;
    for (;;) {
      const next = await batches.next().catch((e: Error) => {
        throw new DetectInputError(`detect: cannot read ${file}: ${e.message}`);
      });
      if (next.done) return { rows, alerts };
      for (const raw of next.value) {
        lineNo++;
        const line = lineNo === 1 && raw.startsWith('\uFEFF') ? raw.slice(1) : raw; // a byte order mark
        if (line.trim() === '') continue;
        const row = parseRow(line, lineNo === 1);
        if (row === 'header') continue;
        if (typeof row === 'string') throw new DetectInputError(`${file}:${lineNo}: ${row}`);
        const o = detector.update(row.value, row.ts);
        rows++;
        if (o.alert) alerts++;
        wait = sink.write(`${line},${formatColumns(o)}`);
        if (wait) await wait;
        if (sink.readerGone) return { rows, alerts };
      }
    }
  } finally {
    await batches.return(undefined); // closes the file when stopping early
    detector.dispose?.();
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A row's timestamp (epoch ms) and value, 'header' for a header line, or what is wrong with it. */
export function parseRow(line: string, firstLine: boolean): { ts: number; value: number } | 'header' | string {
  const fields = line.split(',');
  if (fields.length !== 2) return `expected 2 fields (timestamp,value), got ${fields.length}: ${quote(line)}`;
  const [tsText, valueText] = [fields[0]!.trim(), fields[1]!.trim()];
  const ts = parseTimestamp(tsText);
  const value = NUMBER.test(valueText) ? Number(valueText) : NaN;
  if (firstLine && ts === null && Number.isNaN(value)) return 'header';
  if (ts === null)
    return (
      `unreadable timestamp ${quote(tsText)}: expected ISO-8601, epoch ` +
      `milliseconds or epoch seconds (opsroom detect --help)`
    );
  if (!Number.isFinite(value)) return `value ${quote(valueText)} is not a finite number`;
  return { ts, value };
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/** anomaly_score,alert,kind,probability for one row. */
function formatColumns(o: DetectorOutput): string {
  return `${o.score},${o.alert ? 1 : 0},${o.kind},${Math.round(o.probability * 1e4) / 1e4}`;
}
