import type { Writable } from 'node:stream';

/** Lines are written in chunks of about this many characters (fewer, larger writes). */
export const LINE_SINK_CHUNK_CHARS = 64 * 1024;

/**
 * Text lines to a Writable (stdout, a pipe, a file) without losing any: lines are batched into
 * chunks, and when the stream's buffer is full (write() returned false) the next chunk waits for
 * 'drain', so a slow reader slows the producer down instead of everything piling up in memory and
 * being lost when the process exits.
 *
 * A reader that goes away (EPIPE: `opsroom detect f.csv | head -3`) is not an error: `readerGone`
 * turns true and the producer should stop quietly. Any other stream error rejects the next write()
 * or finish().
 *
 * @example
 *   const sink = new LineSink(process.stdout);
 *   for (const row of rows) {
 *     const wait = sink.write(row);
 *     if (wait) await wait;            // only when a chunk had to wait for the reader
 *     if (sink.readerGone) break;
 *   }
 *   await sink.finish();               // everything handed to the OS (or the reader went away)
 */
export class LineSink {
  private pending = '';
  private failure: Error | null = null;
  private gone = false;
  private readonly onError = (err: Error): void => {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') this.gone = true;
    else this.failure ??= err;
  };

  constructor(
    private readonly stream: Writable,
    private readonly chunkChars = LINE_SINK_CHUNK_CHARS,
  ) {
    // Listening also keeps an EPIPE from becoming an uncaught 'error' (a stack trace, exit 1).
    stream.on('error', this.onError);
  }

  /** The reader closed its end (EPIPE): nothing more can be delivered; stop producing. */
  get readerGone(): boolean {
    return this.gone;
  }

  /**
   * Adds one line (without its '\n'). Returns null when the caller may go on at once, or a promise
   * to await first (a full chunk is waiting for the stream to drain). Throws the stream's error if
   * it has failed for another reason than EPIPE.
   */
  write(line: string): Promise<void> | null {
    this.throwIfFailed();
    this.pending += line + '\n';
    return this.pending.length >= this.chunkChars ? this.flush() : null;
  }

  /**
   * Writes what is pending and resolves once all of it has been handed to the OS (or the reader
   * went away); `end: true` also ends the stream and waits for it to close (files, before a rename).
   * Throws the stream's error if it failed for another reason than EPIPE.
   */
  async finish({ end = false }: { end?: boolean } = {}): Promise<void> {
    this.throwIfFailed();
    const chunk = this.pending;
    this.pending = '';
    if (!this.gone) {
      if (end)
        await this.settle(() => this.stream.end(chunk)); // resolves on 'close'
      else await this.settle((done) => this.stream.write(chunk, done));
    }
    this.throwIfFailed();
    // A stream that failed keeps the listener: a late second error must not be uncaught.
    if (!this.gone) this.stream.off('error', this.onError);
  }

  private async flush(): Promise<void> {
    const chunk = this.pending;
    this.pending = '';
    if (this.gone) return;
    if (!this.stream.write(chunk)) await this.settle(() => undefined, 'drain');
    this.throwIfFailed();
  }

  /**
   * Starts an operation and resolves when its callback runs, or 'drain' fires if asked for, or the
   * stream errors or closes, whichever comes first: a dead stream emits no 'drain'.
   */
  private settle(start: (done: (err?: Error | null) => void) => void, also?: 'drain'): Promise<void> {
    const stream = this.stream;
    const events = also ? [also, 'close'] : ['close'];
    return new Promise<void>((resolve) => {
      let settled = false;
      const done = (err?: Error | null): void => {
        // A write callback can see the error before the stream emits it: record it now.
        if (err) this.onError(err);
        if (settled) return;
        settled = true;
        for (const e of events) stream.off(e, onEvent);
        stream.off('error', done);
        resolve();
      };
      const onEvent = (): void => done();
      for (const e of events) stream.on(e, onEvent);
      stream.on('error', done);
      if (stream.destroyed) done();
      else start(done);
    });
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
