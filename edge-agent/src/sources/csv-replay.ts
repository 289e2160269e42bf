import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Reading } from '@opsroom/models';
import type { Source } from './source.js';
import { toMetricId } from './metric-id.js';

/** One row of a replay file. */
export interface CsvRow {
  ts: number;
  metric: string;
  value: number;
}

export interface CsvReplayOptions {
  /** Names the source in logs (`csv:<name>`). */
  name: string;
  /** The file, for messages and the state file; its text is `text` when given, else read from here. */
  file: string;
  text?: string;
  /** Replay speed: 1 = as recorded, 10 = ten times faster. */
  speed: number;
  /** Metric of a two-column file (`timestamp,value`); ignored for three columns. */
  metric?: string;
  /** Start again from the first row after the last. Only with `timestamps: 'replay'`. */
  loop?: boolean;
  /**
   * 'replay' (default): stamp each row with the instant it is replayed, so a recording plays as
   * live data. 'original': keep the recorded stamps (backfilling history; replaying again after
   * a restart then repeats exact keys, which the server stores once).
   */
  timestamps?: 'replay' | 'original';
  /** Where the position is saved at each checkpoint, so a restart resumes rather than repeats. */
  stateFile?: string;
  /** ms between two saves of the position at most (default 200). A crash repeats at most this much. */
  checkpointEveryMs?: number;
}

interface ReplayState {
  file: string;
  rows: number;
  next: number;
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Parses a replay file: `timestamp,value` or `timestamp,metric,value` per line, with an optional
 * header line, blank lines and `#` comments ignored. A timestamp is ms since the epoch or an
 * ISO 8601 date. Rows must be in time order. Throws an Error naming the line at fault.
 * @example parseReplayCsv('ts,value\n1000,1.5\n2000,2', 'a.csv', 'temp') //
 * [{ts:1000,metric:'temp',value:1.5},{ts:2000,metric:'temp',value:2}]
 */
export function parseReplayCsv(text: string, file: string, metric?: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const lines = text.split(/\r?\n/);
  let columns = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim());
    const where = `${file}:${i + 1}`;
    if (cells.length !== 2 && cells.length !== 3)
      throw new Error(`${where}: expected timestamp,value or timestamp,metric,value; got ${cells.length} columns`);
    const valueCell = cells[cells.length - 1]!;
    if (rows.length === 0 && columns === 0 && !NUMERIC.test(valueCell)) {
      columns = cells.length; // a header line
      continue;
    }
    if (columns === 0) columns = cells.length;
    if (cells.length !== columns) throw new Error(`${where}: ${cells.length} columns where the file has ${columns}`);
    const ts = NUMERIC.test(cells[0]!) ? Number(cells[0]) : Date.parse(cells[0]!);
    if (!Number.isFinite(ts))
      throw new Error(
        `${where}: ${JSON.stringify(cells[0])} is not a timestamp (ms since the epoch or an ISO 8601 date)`,
      );
    if (!NUMERIC.test(valueCell)) throw new Error(`${where}: ${JSON.stringify(valueCell)} is not a number`);
    let m: string;
    if (cells.length === 3) m = toMetricId(cells[1]!);
    else if (metric) m = metric;
    else throw new Error(`${where}: a two-column file (timestamp,value) needs the source's \`metric\``);
    const prev = rows[rows.length - 1];
    if (prev && ts < prev.ts)
      throw new Error(`${where}: timestamp ${cells[0]} is earlier than the row before; sort the file by time`);
    rows.push({ ts: Math.round(ts), metric: m, value: Number(valueCell) });
  }
  if (rows.length === 0) throw new Error(`${file}: no rows to replay`);
  return rows;
}

/**
 * Replays a recorded CSV file at `speed` times the recorded pace: the first sample is the first
 * row, and row i is due `(ts_i - ts_first) / speed` ms of the agent's clock later. Each sample
 * returns every row that has come due since the last one.
 *
 * With a `stateFile`, the position is saved at checkpoints (after the readings are in the
 * outbox), so a restarted agent carries on where the last one stopped; a crash between a save
 * and the next repeats those rows (at-least-once), it never skips any.
 */
export class CsvReplaySource implements Source {
  readonly id: string;
  readonly metrics: readonly string[];
  /** Rows still to replay before the end (or the loop). */
  get remaining(): number {
    return this.rows.length - this.next;
  }
  private readonly rows: CsvRow[];
  private readonly speed: number;
  private readonly loop: boolean;
  private readonly original: boolean;
  private next = 0;
  private anchor: { at: number; row: number } | undefined;
  private readonly lastStamp = new Map<string, number>();
  private savedNext = -1;
  private lastSaveAt = -Infinity;

  constructor(private readonly opts: CsvReplayOptions) {
    if (!(opts.speed > 0) || !Number.isFinite(opts.speed))
      throw new Error(`csv replay speed must be a number > 0, got ${opts.speed}`);
    if (opts.loop && opts.timestamps === 'original')
      throw new Error(
        'csv replay cannot loop with original timestamps: every loop would ' +
          'repeat the same keys, which the server stores once',
      );
    this.id = `csv:${opts.name}`;
    this.rows = parseReplayCsv(opts.text ?? readFileSync(opts.file, 'utf8'), opts.file, opts.metric);
    this.metrics = Object.freeze([...new Set(this.rows.map((r) => r.metric))]);
    this.speed = opts.speed;
    this.loop = opts.loop ?? false;
    this.original = opts.timestamps === 'original';
    if (opts.stateFile) this.next = this.restore(opts.stateFile);
  }

  sample(now: number): Reading[] {
    if (this.next >= this.rows.length) {
      if (!this.loop) return [];
      this.next = 0;
      this.anchor = undefined;
    }
    this.anchor ??= { at: now, row: this.next };
    const { at, row } = this.anchor;
    const t0 = this.rows[row]!.ts;
    const out: Reading[] = [];
    while (this.next < this.rows.length) {
      const r = this.rows[this.next]!;
      const due = at + (r.ts - t0) / this.speed;
      if (due > now) break;
      let ts = this.original ? r.ts : Math.round(due);
      if (!this.original) {
        // Two rows of a metric squeezed into one ms would share a key; keep stamps increasing.
        const last = this.lastStamp.get(r.metric);
        if (last !== undefined && ts <= last) ts = last + 1;
        this.lastStamp.set(r.metric, ts);
      }
      out.push({ metric: r.metric, value: r.value, ts });
      this.next++;
    }
    return out;
  }

  checkpoint(now: number): void {
    const file = this.opts.stateFile;
    if (!file || this.next === this.savedNext) return;
    const atEnd = this.next >= this.rows.length;
    if (!atEnd && now - this.lastSaveAt < (this.opts.checkpointEveryMs ?? 200)) return;
    const state: ReplayState = { file: this.opts.file, rows: this.rows.length, next: this.next };
    writeFileSync(file + '.tmp', JSON.stringify(state));
    renameSync(file + '.tmp', file);
    this.savedNext = this.next;
    this.lastSaveAt = now;
  }

  /** The saved position, if the state file describes this same file; else the start. */
  private restore(stateFile: string): number {
    let state: Partial<ReplayState>;
    try {
      state = JSON.parse(readFileSync(stateFile, 'utf8')) as Partial<ReplayState>;
    } catch {
      return 0;
    }
    if (state.file !== this.opts.file || state.rows !== this.rows.length || typeof state.next !== 'number') return 0;
    this.savedNext = state.next;
    return Math.min(Math.max(0, state.next), this.rows.length);
  }
}
