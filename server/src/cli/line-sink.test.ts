import { describe, expect, it } from '@jest/globals';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LineSink } from './line-sink.js';

/** A Writable that records each chunk and answers every write with `fail` (an error code) or success. */
function recorder(fail?: string, highWaterMark = 16 * 1024) {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string, _enc, cb) {
      chunks.push(chunk);
      setImmediate(() => cb(fail ? Object.assign(new Error(`write ${fail}`), { code: fail }) : null));
    },
  });
  return { stream, chunks };
}

async function writeAll(sink: LineSink, lines: string[]): Promise<void> {
  for (const line of lines) {
    const wait = sink.write(line);
    if (wait) await wait;
    if (sink.readerGone) return;
  }
}

const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`);

describe('LineSink', () => {
  it('writes every line in order, in chunks of at least chunkChars but the last', async () => {
    const { stream, chunks } = recorder();
    const sink = new LineSink(stream, 500);
    await writeAll(sink, lines);
    await sink.finish();
    expect(chunks.join('')).toBe(lines.map((l) => l + '\n').join(''));
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.slice(0, -1).every((c) => c.length >= 500 && c.length < 520)).toBe(true);
  });

  it('waits for drain instead of buffering everything when the stream is full', async () => {
    const { stream } = recorder(undefined, 100);
    let maxBuffered = 0;
    let drains = 0;
    stream.on('drain', () => drains++);
    const sink = new LineSink(stream, 500);
    for (const line of lines) {
      const wait = sink.write(line);
      maxBuffered = Math.max(maxBuffered, stream.writableLength);
      if (wait) await wait;
    }
    await sink.finish();
    expect(drains).toBeGreaterThan(5);
    expect(maxBuffered).toBeLessThan(1000);
  });

  it('turns EPIPE into readerGone and resolves, with no uncaught error', async () => {
    const { stream, chunks } = recorder('EPIPE', 100);
    const sink = new LineSink(stream, 100);
    await writeAll(sink, lines);
    expect(sink.readerGone).toBe(true);
    expect(chunks).toHaveLength(1); // the producer stopped at the first failed chunk
    await expect(sink.finish()).resolves.toBeUndefined();
  });

  it('rejects with any other stream error', async () => {
    const { stream } = recorder('ENOSPC');
    const sink = new LineSink(stream, 100);
    await expect(writeAll(sink, lines).then(() => sink.finish())).rejects.toThrow('write ENOSPC');
    expect(sink.readerGone).toBe(false);
  });

  it('finish({ end: true }) resolves once a file is complete and closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-sink-'));
    try {
      const file = join(dir, 'out.txt');
      const stream = createWriteStream(file);
      const sink = new LineSink(stream, 64);
      await writeAll(sink, lines);
      await sink.finish({ end: true });
      expect(stream.closed).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(lines.map((l) => l + '\n').join(''));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
