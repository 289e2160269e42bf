import { execFile } from 'node:child_process';
import type { Reading } from '@opsroom/models';
import type { Source } from './source.js';
import { parseCommandOutput, type OutputFormat } from './parse-output.js';

export interface CommandSourceOptions {
  /** Names the source in logs (`command:<name>`). */
  name: string;
  /** A string runs through `/bin/sh -c`; a list runs the program directly (no shell). */
  command: string | readonly string[];
  /** How the output is read (see `parseCommandOutput`); default 'auto'. */
  format?: OutputFormat;
  /** ms before the command is killed and the sample fails (default 10,000). */
  timeoutMs?: number;
  /** Put in front of every metric id (e.g. `ups_`); default none. */
  prefix?: string;
  /** Extra environment variables for the command. */
  env?: Readonly<Record<string, string>>;
}

/**
 * Runs a command on each sample and turns what it prints into readings stamped `now`: a way to
 * read any sensor that has a command-line tool (`vcgencmd measure_temp`, `upsc`, a vendor
 * script). A non-zero exit, a timeout or unparseable output fails the sample with the command's
 * own words (first line of stderr).
 */
export class CommandSource implements Source {
  readonly id: string;
  readonly metrics: readonly string[] = [];
  private readonly file: string;
  private readonly args: string[];

  constructor(private readonly opts: CommandSourceOptions) {
    this.id = `command:${opts.name}`;
    if (typeof opts.command === 'string') {
      if (opts.command.trim() === '') throw new Error('command must not be empty');
      this.file = '/bin/sh';
      this.args = ['-c', opts.command];
    } else {
      if (opts.command.length === 0 || !opts.command[0]) throw new Error('command must name a program');
      this.file = opts.command[0];
      this.args = opts.command.slice(1);
    }
  }

  sample(now: number): Promise<Reading[]> {
    const timeout = this.opts.timeoutMs ?? 10_000;
    return new Promise<Reading[]>((resolve, reject) => {
      execFile(
        this.file,
        this.args,
        { timeout, maxBuffer: 1 << 20, env: { ...process.env, ...this.opts.env }, killSignal: 'SIGKILL' },
        (err, stdout, stderr) => {
          const shown = typeof this.opts.command === 'string' ? this.opts.command : this.opts.command.join(' ');
          if (err) {
            const e = err as Error & { killed?: boolean; code?: number | string; signal?: string | null };
            const why = e.killed
              ? `timed out after ${timeout} ms`
              : e.code === 'ENOENT'
                ? 'program not found; check the path'
                : `exited with ${e.code ?? e.signal}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}`;
            reject(new Error(`command \`${shown}\` ${why}`));
            return;
          }
          let parsed;
          try {
            parsed = parseCommandOutput(stdout, this.opts.format);
          } catch (e2) {
            reject(new Error(`command \`${shown}\`: ${(e2 as Error).message}`));
            return;
          }
          const prefix = this.opts.prefix ?? '';
          resolve(parsed.map((p) => ({ metric: prefix + p.metric, value: p.value, ts: now })));
        },
      );
    });
  }
}
