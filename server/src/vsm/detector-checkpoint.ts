/**
 * Detector checkpoints: every detector of the LiveModel written to `<dataDir>/detectors.ckpt`, so
 * that after a restart each series continues where it stopped instead of learning again for 150
 * readings (issue 14). Written at graceful close and periodically; read once at start-up.
 *
 * ## Format (version 1), UTF-8, lines ending in \n
 *
 *     opsroom-detectors 1
 *     profiles <P>
 *     <profile 0>                              P lines: JSON {"type","version","options"?}
 *     …
 *     detectors <N>
 *     <key>\t<profile>\t<state>                N lines, one per detector
 *     …
 *     end <N> <sha256 of the header> <sha256 of the detector lines>
 *
 * - A **profile** is one distinct (type, version, options) of the snapshots: all the server's
 *   Cyberstride detectors share their options, so the options (~1 KiB of JSON) are stored once, not
 *   once per series.
 * - `<key>` is the LiveModel key (`node\0indicator`, `node\0indicator\0#index`,
 *   `node\0indicator\0@device`) as a JSON string: \0 is written `\u0000`, which no node path holds,
 *   and the key never contains a raw tab or newline.
 * - `<profile>` is the profile's position (0-based, decimal).
 * - `<state>` is the rest of the snapshot: when it is only `state` and that is not an object (a
 *   Cyberstride slot in base64, a Harrison–Stevens number array), the JSON of that value
 *   (`"AAAA…"`); otherwise the JSON object of every remaining field (`{"state":…,"counts":…}`). A
 *   leading `{` tells them apart.
 * - `end` repeats N and carries two SHA-256 digests (hex): of the header (every byte from the first
 *   line through `detectors <N>\n`) and of the detector lines (every byte after it, before `end`);
 *   two, so the writer can digest the detector lines as it goes instead of in one stall at the end.
 *   A file without the end line was cut short; one whose digests differ was altered or damaged.
 *
 * The snapshot of line i is `{ ...profiles[p], ...state }`, which `restoreDetector` restores
 * bit-identically (the profile's options object is shared by the snapshots read back; nothing
 * mutates it).
 *
 * Writing is atomic: a temporary file beside the checkpoint, fsync, rename over the old one, fsync
 * of the directory; a crash leaves the previous checkpoint or the new one, never half of one. The
 * writer snapshots the detectors in batches between which ingest runs on, so a checkpoint is not
 * one instant of the whole model, but each detector's snapshot is whole (detectors are independent).
 * Reading validates everything before anything is restored: a file that fails any check is
 * refused as a whole with a CheckpointError saying why, and the server starts fresh (it never
 * refuses to start because of a checkpoint).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { DetectorState } from './detectors/detector.js';
import type { DetectorImport } from './live-model.js';

/** The checkpoint's file name inside the data directory. */
export const CHECKPOINT_FILE = 'detectors.ckpt';
/** The format this build writes and reads (the first line's number). */
export const CHECKPOINT_FORMAT = 1;

const MAGIC = 'opsroom-detectors';
/**
 * Detector lines per encoded part (~0.8 MB for Cyberstride, no one giant string); the writer yields to the event loop
 * after each.
 */
const LINES_PER_PART = 1024;

/** A checkpoint file that cannot be used: `reason` says what is wrong with it. */
export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(
      `detector checkpoint ${file} is unusable: ${reason}; starting every ` +
        `detector afresh (the next checkpoint replaces it)`,
    );
    this.name = 'CheckpointError';
  }
}

/** A checkpoint in memory: its text in parts (concatenated, the file) and what it holds. */
export interface EncodedCheckpoint {
  parts: string[];
  detectors: number;
  profiles: number;
}

/** What a write did. */
export interface CheckpointWritten {
  file: string;
  detectors: number;
  profiles: number;
  bytes: number;
  /** Wall time of the whole write, snapshots included, ms. */
  ms: number;
}

type Entry = readonly [string, DetectorState];

/**
 * Builds a checkpoint one detector at a time (encodeCheckpoint, writeDetectorCheckpoint): detector
 * lines are kept in parts of LINES_PER_PART lines; the header, which lists the profiles met, and
 * the end line are added by finish().
 */
class CheckpointEncoder {
  private readonly profiles = new Map<string, number>();
  private readonly body: string[] = [];
  private readonly bodyHash = createHash('sha256');
  private lines = '';
  private inPart = 0;
  detectors = 0;

  /** Adds one detector; returns true when a part was completed (a good moment to yield). */
  add(key: string, snapshot: DetectorState): boolean {
    const { type, version, options, ...rest } = snapshot;
    const profile = JSON.stringify(options === undefined ? { type, version } : { type, version, options });
    let p = this.profiles.get(profile);
    if (p === undefined) this.profiles.set(profile, (p = this.profiles.size));
    this.lines += `${JSON.stringify(key)}\t${p}\t${encodeRest(rest)}\n`;
    this.detectors++;
    if (++this.inPart < LINES_PER_PART) return false;
    this.body.push(this.lines);
    this.bodyHash.update(this.lines, 'utf8');
    this.lines = '';
    this.inPart = 0;
    return true;
  }

  finish(): EncodedCheckpoint {
    if (this.lines) {
      this.body.push(this.lines);
      this.bodyHash.update(this.lines, 'utf8');
    }
    const profiles = [...this.profiles.keys()];
    const head =
      `${MAGIC} ${CHECKPOINT_FORMAT}\nprofiles ` +
      `${profiles.length}\n${profiles.map((p) => p + '\n').join('')}detectors ${this.detectors}\n`;
    const end = `end ${this.detectors} ${sha256(head)} ${this.bodyHash.digest('hex')}\n`;
    return { parts: [head, ...this.body, end], detectors: this.detectors, profiles: profiles.length };
  }
}

/**
 * The checkpoint text of these detectors (see the format above), in one go.
 *
 * @example
 *   encodeCheckpoint([['r\0output', d.snapshot()]]).parts.join('')
 *   // 'opsroom-detectors 1\nprofiles 1\n{"type":"cyberstride",…}\ndetectors 1\n"r\\u0000output"\t0\t"AAAA…"\nend 1
 *     9f86…\n'
 */
export function encodeCheckpoint(entries: Iterable<Entry>): EncodedCheckpoint {
  const encoder = new CheckpointEncoder();
  for (const [key, snapshot] of entries) encoder.add(key, snapshot);
  return encoder.finish();
}

function encodeRest(rest: Record<string, unknown>): string {
  const keys = Object.keys(rest);
  const state = rest.state;
  if (keys.length === 1 && keys[0] === 'state' && (typeof state !== 'object' || state === null || Array.isArray(state)))
    return JSON.stringify(state);
  return JSON.stringify(rest);
}

/**
 * The detectors of a checkpoint's bytes, every line checked. Throws CheckpointError naming the
 * first problem (`file` only names the source in the message).
 */
export function decodeCheckpoint(bytes: Uint8Array, file = CHECKPOINT_FILE): Array<[string, DetectorState]> {
  const fail = (reason: string): never => {
    throw new CheckpointError(file, reason);
  };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length === 0) fail('the file is empty (cut short while it was written?)');
  if (buf[buf.length - 1] !== 0x0a) fail('the file does not end with a complete line: it was truncated');
  const endAt = buf.lastIndexOf(0x0a, buf.length - 2) + 1; // start of the last line
  const endLine = buf.toString('utf8', endAt, buf.length - 1);
  const end = /^end (\d+) ([0-9a-f]{64}) ([0-9a-f]{64})$/.exec(endLine);
  if (!end) fail(`the last line is not "end <count> <sha256> <sha256>" but ${quote(endLine)}: the file was truncated`);
  // The header is its first two lines, P profile lines (P from the second line) and `detectors <N>`;
  // found before the digests are checked, which say whether any of it can be trusted.
  const lineEnd = (from: number) => {
    const i = buf.indexOf(0x0a, from);
    return i < 0 || i >= endAt ? endAt : i + 1;
  };
  const second = lineEnd(0);
  let headerEnd = lineEnd(second);
  const nProfileLines = Number(/^profiles (\d+)\n$/.exec(buf.toString('latin1', second, headerEnd))?.[1] ?? 0);
  for (let i = 0; i <= nProfileLines && headerEnd < endAt; i++) headerEnd = lineEnd(headerEnd);
  if (sha256(buf.subarray(0, headerEnd)) !== end![2] || sha256(buf.subarray(headerEnd, endAt)) !== end![3]) {
    fail('its SHA-256 digests do not match those on its end line: the file was altered or damaged');
  }

  const lines = buf.toString('utf8', 0, endAt).split('\n');
  lines.pop(); // the empty string after the last \n
  let at = 0;
  const next = (what: string): string => (at < lines.length ? lines[at++]! : fail(`it ends before ${what}`));
  const count = (line: string, word: string): number => {
    const m = new RegExp(`^${word} (\\d+)$`).exec(line);
    if (!m) fail(`line ${at} should be "${word} <count>", got ${quote(line)}`);
    return Number(m![1]);
  };

  const magic = next('its first line');
  const format = new RegExp(`^${MAGIC} (\\d+)$`).exec(magic);
  if (!format) fail(`it is not a detector checkpoint (first line ${quote(magic)})`);
  if (Number(format![1]) !== CHECKPOINT_FORMAT)
    fail(
      `it is format ${format![1]}, written by another server version (this build reads format ${CHECKPOINT_FORMAT})`,
    );

  const profiles: Array<{ type: string; version: number; options?: unknown }> = [];
  const nProfiles = count(next('the profile count'), 'profiles');
  for (let i = 0; i < nProfiles; i++) {
    const line = next(`profile ${i}`);
    const p = parseJson(line);
    if (!isPlainObject(p) || typeof p.type !== 'string' || typeof p.version !== 'number')
      fail(`line ${at}: profile ${i} is not {"type": string, "version": number, …}`);
    const { type, version, options, ...extra } = p as Record<string, unknown>;
    if (Object.keys(extra).length > 0)
      fail(`line ${at}: profile ${i} has unexpected fields ${Object.keys(extra).join(', ')}`);
    if (options !== undefined && !isPlainObject(options))
      fail(`line ${at}: the options of profile ${i} are not an object`);
    profiles.push(
      options === undefined
        ? { type: type as string, version: version as number }
        : { type: type as string, version: version as number, options },
    );
  }

  const nDetectors = count(next('the detector count'), 'detectors');
  if (nDetectors !== Number(end![1])) fail(`it announces ${nDetectors} detectors but its end line says ${end![1]}`);
  if (lines.length - at !== nDetectors)
    fail(`it announces ${nDetectors} detectors and holds ${lines.length - at} lines`);
  const out: Array<[string, DetectorState]> = new Array(nDetectors);
  for (let i = 0; i < nDetectors; i++) {
    const line = lines[at++]!;
    const t1 = line.indexOf('\t');
    const t2 = line.indexOf('\t', t1 + 1);
    if (t1 < 0 || t2 < 0 || line.indexOf('\t', t2 + 1) >= 0) fail(`line ${at} is not <key>\\t<profile>\\t<state>`);
    const key = parseJson(line.slice(0, t1));
    if (typeof key !== 'string' || key === '') fail(`line ${at}: the key is not a JSON string`);
    const p = line.slice(t1 + 1, t2);
    if (!/^(0|[1-9]\d*)$/.test(p) || Number(p) >= profiles.length)
      fail(`line ${at}: profile ${quote(p)} is not one of the ${profiles.length} profiles`);
    const rest = parseJson(line.slice(t2 + 1));
    if (rest === undefined) fail(`line ${at}: the state is not JSON`);
    const fields = isPlainObject(rest) ? rest : { state: rest };
    if ('type' in fields || 'version' in fields || 'options' in fields)
      fail(`line ${at}: the state repeats type, version or options`);
    out[i] = [key as string, { ...profiles[Number(p)]!, ...fields } as DetectorState];
  }
  return out;
}

/**
 * Writes the checkpoint atomically: temporary file, fsync, rename, fsync of the directory. Creates
 * the directory if needed. The entries are consumed lazily, yielding to the event loop after every
 * LINES_PER_PART detectors (snapshotting 100,000 Cyberstride detectors takes seconds, which must
 * not stall ingest): each snapshot is of its detector when the iteration reaches it, so `entries`
 * must stay valid while other code runs (LiveModel.detectorEntries does).
 */
export async function writeDetectorCheckpoint(file: string, entries: Iterable<Entry>): Promise<CheckpointWritten> {
  const t0 = performance.now();
  const encoder = new CheckpointEncoder();
  for (const [key, snapshot] of entries) {
    if (encoder.add(key, snapshot)) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const encoded = encoder.finish();
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.tmp`;
  let bytes = 0;
  const fh = await open(tmp, 'w', 0o600);
  try {
    for (const part of encoded.parts) bytes += (await fh.write(part, null, 'utf8')).bytesWritten;
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  await rename(tmp, file);
  await syncDirectory(dir);
  return { file, detectors: encoded.detectors, profiles: encoded.profiles, bytes, ms: performance.now() - t0 };
}

/**
 * The rename is durable once the directory is synced (POSIX); some platforms cannot open a directory, which is harmless
 * there.
 */
async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    /* best effort */
  } finally {
    await fh?.close().catch(() => {});
  }
}

/**
 * The detectors of a checkpoint file; null when there is none. Throws CheckpointError for a file that cannot be used.
 */
export async function readDetectorCheckpoint(file: string): Promise<Array<[string, DetectorState]> | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CheckpointError(file, `it cannot be read (${(err as Error).message})`);
  }
  return decodeCheckpoint(bytes, file);
}

/** Where the detectors go and come from: LiveModel's surface (an interface, so tests can stand in). */
export interface DetectorSource {
  detectorEntries(): Iterable<Entry>;
  importDetectors(entries: Iterable<Entry>): DetectorImport;
}

export interface DetectorCheckpointsOptions {
  /** The data directory; the file is `<dataDir>/detectors.ckpt`. */
  dataDir: string;
  detectors: DetectorSource;
  /** Periodic checkpoints every this many ms (0: none, only at shutdown). */
  intervalMs: number;
  logger: Logger;
}

/**
 * The checkpoint's owner: restores at start-up (`load`), writes every `intervalMs` from an
 * unref'd timer (`start`), on demand (`flush`) and a last time at `shutdown`. Writes never
 * overlap; a failed periodic write is logged and the next one tries again.
 */
export class DetectorCheckpoints {
  readonly file: string;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<CheckpointWritten | null> | null = null;
  private stopped = false;

  constructor(private readonly opts: DetectorCheckpointsOptions) {
    this.file = join(opts.dataDir, CHECKPOINT_FILE);
  }

  /**
   * Restores the detectors of the checkpoint, if any. Never throws: an unusable file is logged,
   * kept as `<file>.rejected` for inspection, and every detector starts afresh.
   */
  async load(): Promise<DetectorImport & { file: string }> {
    const none = { restored: 0, skipped: 0, failed: 0, file: this.file };
    const log = this.opts.logger;
    let entries: Array<[string, DetectorState]> | null;
    try {
      entries = await readDetectorCheckpoint(this.file);
    } catch (err) {
      const reason = err instanceof CheckpointError ? err.reason : (err as Error).message;
      log.warn({ file: this.file, reason }, (err as Error).message);
      await rename(this.file, `${this.file}.rejected`).catch(() => {});
      return none;
    }
    if (!entries) return none;
    let counts: DetectorImport;
    try {
      counts = this.opts.detectors.importDetectors(entries);
    } catch (err) {
      log.warn(
        { err, file: this.file },
        'detector checkpoint: restoring failed; detectors not yet restored start afresh',
      );
      return none;
    }
    log.info(
      { file: this.file, ...counts },
      `restored ${counts.restored} detectors from ${this.file} (${counts.skipped} skipped)`,
    );
    if (counts.failed > 0)
      log.warn(
        { file: this.file, failed: counts.failed },
        `${counts.failed} detector snapshots in ${this.file} did not restore; those series learn again`,
      );
    return { ...counts, file: this.file };
  }

  /** Starts the periodic checkpoints (none when intervalMs is 0). The timer does not keep the process alive. */
  start(): void {
    if (this.timer || this.opts.intervalMs <= 0 || this.stopped) return;
    this.timer = setInterval(() => {
      if (this.writing) return; // the previous one is still being written
      void this.flush().catch(() => {});
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  /** Writes a checkpoint now, after any write in progress. Rejects if the write fails (logged too). */
  async flush(): Promise<CheckpointWritten> {
    while (this.writing) await this.writing.catch(() => null);
    const write = writeDetectorCheckpoint(this.file, this.opts.detectors.detectorEntries());
    this.writing = write;
    try {
      const done = await write;
      this.opts.logger.debug({ ...done, ms: Math.round(done.ms) }, 'detector checkpoint written');
      return done;
    } catch (err) {
      this.opts.logger.error(
        { err, file: this.file },
        'detector checkpoint: writing failed (the previous checkpoint, if any, is intact)',
      );
      throw err;
    } finally {
      if (this.writing === write) this.writing = null;
    }
  }

  /** Stops the timer and writes the last checkpoint. Idempotent: later calls write nothing. */
  async shutdown(): Promise<CheckpointWritten | null> {
    if (this.stopped) return null;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const done = await this.flush();
    this.opts.logger.debug(
      { file: this.file, detectors: done.detectors, bytes: done.bytes, ms: Math.round(done.ms) },
      `wrote ${done.detectors} detectors to ${this.file}`,
    );
    return done;
  }
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? s.slice(0, 60) + '…' : s);
}
