import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Logger } from '../log/logger.js';
import type { DetectorState, StreamingDetector } from './detectors/detector.js';
import { createDetector, restoreDetector } from './detectors/restore.js';
import {
  CHECKPOINT_FILE,
  CheckpointError,
  DetectorCheckpoints,
  decodeCheckpoint,
  encodeCheckpoint,
  readDetectorCheckpoint,
  writeDetectorCheckpoint,
  type DetectorSource,
} from './detector-checkpoint.js';

/** A noisy level, different per series, so no two slots are alike. */
function fed(d: StreamingDetector, series: number, n: number): StreamingDetector {
  for (let i = 0; i < n; i++) d.update(100 + series + Math.sin(i * 0.7 + series) * 2, 1_000_000 + i * 1000);
  return d;
}

/** Detectors under every kind of key the LiveModel writes, with node paths of several levels and non-ASCII names. */
function detectors(count: number): Array<[string, StreamingDetector]> {
  const out: Array<[string, StreamingDetector]> = [];
  for (let i = 0; i < count; i++) {
    const node = `valle/almacén-${i % 7}/línea ${i}`;
    const key = [`${node}\0output\0@dev-${i}`, `${node}\0output`, `${node}\0water\0#performance`][i % 3]!;
    out.push([key, fed(createDetector(), i, 20 + (i % 200))]);
  }
  out.push(['r\0output\0#latency', fed(createDetector({ type: 'harrison-stevens' }), 1, 30)]);
  return out;
}

const snapshots = (ds: Array<[string, StreamingDetector]>): Array<[string, DetectorState]> =>
  ds.map(([k, d]) => [k, d.snapshot()]);
const text = (entries: Array<[string, DetectorState]>) => encodeCheckpoint(entries).parts.join('');

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-ckpt-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** The reason a checkpoint is refused. */
function reasonFor(bytes: Uint8Array): string {
  try {
    decodeCheckpoint(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(CheckpointError);
    return (err as CheckpointError).reason;
  }
  throw new Error('the checkpoint was accepted');
}

/** A file with the right digests around hand-written lines (header: all but `body` trailing lines), to test the checks after the digests. */
function sealed(lines: string[], count: number, body = Math.max(0, lines.length - 4)): Buffer {
  const text = (ls: string[]) => ls.map((l) => l + '\n').join('');
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  const [head, rest] = [text(lines.slice(0, lines.length - body)), text(lines.slice(lines.length - body))];
  return Buffer.from(`${head}${rest}end ${count} ${sha(head)} ${sha(rest)}\n`);
}

describe('encodeCheckpoint and decodeCheckpoint', () => {
  it('give back every snapshot and key, device, rolled-up and index series alike, and the restored detectors continue bit-identically', () => {
    const ds = detectors(600);
    const entries = snapshots(ds);
    const back = decodeCheckpoint(Buffer.from(text(entries)));
    expect(back.map(([k]) => k)).toEqual(entries.map(([k]) => k));
    expect(back).toEqual(entries);
    for (const [i, [, state]] of back.entries()) {
      const again = restoreDetector(state);
      const [, original] = ds[i]!;
      for (let t = 0; t < 5; t++)
        expect(again.update(110 + t, 2_000_000 + t * 1000)).toEqual(original.update(110 + t, 2_000_000 + t * 1000));
    }
  });

  it('stores the options once per distinct type, version and options, not once per series', () => {
    const entries = snapshots(detectors(300));
    const encoded = encodeCheckpoint(entries);
    const file = encoded.parts.join('');
    expect(encoded).toMatchObject({ detectors: 301, profiles: 2 }); // Cyberstride, Harrison–Stevens
    const options = JSON.stringify(entries[0]![1].options);
    expect(file.split(options)).toHaveLength(2);
    // A Cyberstride line is its key, the profile and the slot in base64 (744 bytes: 992 characters), nothing more.
    const line = file.split('\n').find((l) => l.startsWith('"valle/almacén-0/línea 0\\u0000output\\u0000@dev-0"'))!;
    expect(line).toMatch(/^"[^"\t]+"\t0\t"[A-Za-z0-9+/=]+"$/);
    const key = line.slice(0, line.indexOf('\t'));
    expect(Buffer.byteLength(line)).toBe(Buffer.byteLength(key) + 3 + 2 + Math.ceil(744 / 3) * 4);
  });

  it('writes \\0 in keys as \\u0000 and nothing that splits a line', () => {
    const file = text([['a\tb\nc\0d', createDetector().snapshot()]]);
    expect(file).not.toContain('\0');
    expect(file.split('\n')).toHaveLength(7); // magic, profiles, 1 profile, detectors, 1 detector, end, ''
    expect(decodeCheckpoint(Buffer.from(file))[0]![0]).toBe('a\tb\nc\0d');
  });

  it('keeps fields other than state, in an object', () => {
    const entries: Array<[string, DetectorState]> = [
      ['x\0y', { type: 'other', version: 4, state: { a: 1 }, extra: [1, 2] }],
      ['x\0z', { type: 'other', version: 4 }],
    ];
    expect(decodeCheckpoint(Buffer.from(text(entries)))).toEqual(entries);
  });

  it('holds an empty model too', () => {
    expect(decodeCheckpoint(Buffer.from(text([])))).toEqual([]);
  });

  it('refuses a damaged file: its digest does not match', () => {
    const bytes = Buffer.from(text(snapshots(detectors(20))));
    const at = bytes.indexOf('\t0\t"') + 10;
    bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41; // one base64 character of one slot
    expect(reasonFor(bytes)).toMatch(/SHA-256 digests do not match .*altered or damaged/);
  });

  it('refuses a truncated file, cut inside a line or at a line boundary', () => {
    const bytes = Buffer.from(text(snapshots(detectors(20))));
    expect(reasonFor(bytes.subarray(0, Math.floor(bytes.length / 2)))).toMatch(/truncated/);
    const lineEnd = bytes.indexOf('\n', Math.floor(bytes.length / 2)) + 1;
    expect(reasonFor(bytes.subarray(0, lineEnd))).toMatch(
      /last line is not "end <count> <sha256> <sha256>".*truncated/,
    );
    expect(reasonFor(bytes.subarray(0, 0))).toMatch(/empty/);
  });

  it('refuses another format, a count that does not match, a bad profile number and a line of no known shape, saying which', () => {
    const profile = JSON.stringify({ type: 'cyberstride', version: 3, options: {} });
    expect(reasonFor(sealed(['opsroom-detectors 2', 'profiles 0', 'detectors 0'], 0))).toMatch(
      /format 2, written by another server version/,
    );
    expect(reasonFor(sealed(['something else'], 0))).toMatch(/not a detector checkpoint/);
    expect(
      reasonFor(sealed(['opsroom-detectors 1', 'profiles 1', profile, 'detectors 2', '"k"\t0\t"AA=="'], 2)),
    ).toMatch(/announces 2 detectors and holds 1 lines/);
    expect(
      reasonFor(sealed(['opsroom-detectors 1', 'profiles 1', profile, 'detectors 1', '"k"\t0\t"AA=="'], 3)),
    ).toMatch(/end line says 3/);
    expect(
      reasonFor(sealed(['opsroom-detectors 1', 'profiles 1', profile, 'detectors 1', '"k"\t1\t"AA=="'], 1)),
    ).toMatch(/line 5: profile "1" is not one of the 1 profiles/);
    expect(reasonFor(sealed(['opsroom-detectors 1', 'profiles 1', profile, 'detectors 1', 'k\t0\t"AA=="'], 1))).toMatch(
      /line 5: the key is not a JSON string/,
    );
    expect(reasonFor(sealed(['opsroom-detectors 1', 'profiles 1', profile, 'detectors 1', '"k"\t0'], 1))).toMatch(
      /line 5 is not <key>\\t<profile>\\t<state>/,
    );
    expect(reasonFor(sealed(['opsroom-detectors 1', 'profiles 1', '[1]', 'detectors 0'], 0))).toMatch(
      /line 3: profile 0 is not/,
    );
  });
});

describe('writeDetectorCheckpoint and readDetectorCheckpoint', () => {
  it('write the file atomically (no temporary file left) and read it back; a missing file reads as null', async () => {
    const dir = join(tempDir(), 'not-yet-there');
    const file = join(dir, CHECKPOINT_FILE);
    expect(await readDetectorCheckpoint(file)).toBeNull();
    const entries = snapshots(detectors(50));
    const written = await writeDetectorCheckpoint(file, entries);
    expect(written).toMatchObject({ file, detectors: 51, profiles: 2, bytes: readFileSync(file).length });
    expect(readdirSync(dir)).toEqual([CHECKPOINT_FILE]);
    expect(await readDetectorCheckpoint(file)).toEqual(entries);
    // Written again: replaced whole.
    await writeDetectorCheckpoint(file, entries.slice(0, 3));
    expect(await readDetectorCheckpoint(file)).toEqual(entries.slice(0, 3));
  });
});

describe('DetectorCheckpoints', () => {
  const logs: Array<[string, unknown, string | undefined]> = [];
  const logger: Logger = {
    info: (o, m) => logs.push(['info', o, m]),
    warn: (o, m) => logs.push(['warn', o, m]),
    error: (o, m) => logs.push(['error', o, m]),
    debug: () => {},
  };
  afterEach(() => {
    logs.length = 0;
  });
  /** Stands in for the LiveModel: exports `entries`; imports into `into`, restoring Cyberstride and skipping the rest. */
  const source = (
    entries: Array<[string, DetectorState]>,
    into: Array<readonly [string, DetectorState]> = [],
  ): DetectorSource => ({
    detectorEntries: () => entries,
    importDetectors: (es) => {
      for (const e of es) into.push(e);
      const restored = into.filter(([, s]) => s.type === 'cyberstride').length;
      return { restored, skipped: into.length - restored, failed: 0 };
    },
  });

  /** Loads the checkpoint in dataDir, the detectors it restores pushed to `into`. */
  const loadInto = (dataDir: string, into: Array<readonly [string, DetectorState]>) =>
    new DetectorCheckpoints({ dataDir, detectors: source([], into), intervalMs: 0, logger }).load();

  it('writes at shutdown and restores at load, logging what it restored', async () => {
    const dataDir = tempDir();
    const entries = snapshots(detectors(10));
    await new DetectorCheckpoints({ dataDir, detectors: source(entries), intervalMs: 0, logger }).shutdown();
    const into: Array<readonly [string, DetectorState]> = [];
    const loaded = await loadInto(dataDir, into);
    expect(into).toEqual(entries);
    expect(loaded).toEqual({ restored: 10, skipped: 1, failed: 0, file: join(dataDir, CHECKPOINT_FILE) });
    expect(logs.at(-1)).toEqual([
      'info',
      expect.anything(),
      `restored 10 detectors from ${join(dataDir, CHECKPOINT_FILE)} (1 skipped)`,
    ]);
  });

  it('starts fresh from a corrupt file with a warning, keeping the file aside as .rejected', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, CHECKPOINT_FILE);
    writeFileSync(file, 'opsroom-detectors 1\nprofiles 0\n');
    const into: Array<readonly [string, DetectorState]> = [];
    const loaded = await loadInto(dataDir, into);
    expect(loaded).toMatchObject({ restored: 0, skipped: 0, failed: 0 });
    expect(into).toEqual([]);
    expect(logs).toEqual([
      [
        'warn',
        { file, reason: expect.stringMatching(/truncated/) },
        expect.stringMatching(/unusable: .*truncated.*starting every detector afresh/),
      ],
    ]);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.rejected`, 'utf8')).toBe('opsroom-detectors 1\nprofiles 0\n');
  });

  it("writes periodically from an unref'd timer, never two writes at once", async () => {
    const dataDir = tempDir();
    const entries = snapshots(detectors(4));
    const ckpt = new DetectorCheckpoints({ dataDir, detectors: source(entries), intervalMs: 20, logger });
    ckpt.start();
    const file = join(dataDir, CHECKPOINT_FILE);
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await readDetectorCheckpoint(file)).toEqual(entries);
    const [a, b] = await Promise.all([ckpt.flush(), ckpt.flush()]);
    expect(a.detectors).toBe(5);
    expect(b.detectors).toBe(5);
    await ckpt.shutdown();
    expect(await ckpt.shutdown()).toBeNull();
    expect(readdirSync(dataDir)).toEqual([CHECKPOINT_FILE]);
  });
});
