import { createReadStream } from 'node:fs';

/**
 * The lines of a UTF-8 text file, in batches (one per chunk read), without their line ends
 * ('\n' or '\r\n'); a last line without a line end is included, an empty file gives none.
 * Reads only as fast as the consumer pulls, so a slow consumer does not pull the whole file into
 * memory. Throws the read error (ENOENT, EISDIR, …) from the iteration.
 *
 * @example
 *   let n = 0;
 *   for await (const lines of readLineBatches('in.csv')) for (const line of lines) console.log(++n, line);
 */
export async function* readLineBatches(file: string, chunkBytes = 64 * 1024): AsyncGenerator<string[]> {
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: chunkBytes });
  let rest = '';
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (let i = 0; i < lines.length; i++) lines[i] = withoutCr(lines[i]!);
      if (lines.length) yield lines;
    }
    if (rest !== '') yield [withoutCr(rest)];
  } finally {
    input.destroy();
  }
}

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
