import { parseArgs } from 'node:util';
import { LOG_LEVELS, OPTIONS, type LogLevel, type OptionFlag } from '../config/config.js';
import { ConfigError } from '../errors.js';

/** Parses the server flags shared by `start` and `demo`; unknown flags are an error naming them. */
export function parseServerFlags(argv: string[]): { flags: Partial<Record<OptionFlag, string>>; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const o of OPTIONS) options[o.flag] = { type: 'string' };
  const { values } = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  const flags: Partial<Record<OptionFlag, string>> = {};
  for (const o of OPTIONS) {
    const v = values[o.flag];
    if (typeof v === 'string') flags[o.flag] = v;
  }
  return { flags, help: values.help === true };
}

export function serverFlagsHelp(): string {
  // "  --flag <value>" is 12 characters plus the flag; two spaces before the help text.
  const col = Math.max(...OPTIONS.map((o) => o.flag.length)) + 14;
  return OPTIONS.map((o) => `  --${o.flag} <value>`.padEnd(col) + `${o.help}\n${' '.repeat(col)}env: ${o.env}`).join(
    '\n',
  );
}

/**
 * Takes `--log-level LEVEL` (or `--log-level=LEVEL`) out of a one-shot command's arguments, so every
 * command accepts it. Throws a ConfigError naming the levels for an unknown one.
 * @example takeLogLevel(['--log-level', 'warn', 'a.csv']) // { level: 'warn', rest: ['a.csv'] }
 */
export function takeLogLevel(
  argv: readonly string[],
  fallback: LogLevel = 'info',
): { level: LogLevel; rest: string[] } {
  const rest: string[] = [];
  let level: string = fallback;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--log-level') {
      const next = argv[i + 1];
      if (next === undefined) throw new ConfigError(`--log-level needs a value: ${LOG_LEVELS.join(', ')}`);
      level = next;
      i++;
    } else if (a.startsWith('--log-level=')) level = a.slice('--log-level='.length);
    else rest.push(a);
  }
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  return { level: level as LogLevel, rest };
}

/** Whether a message at `at` is shown when the log level is `level` (`silent` shows nothing). */
export function shows(level: LogLevel, at: Exclude<LogLevel, 'silent'>): boolean {
  return level !== 'silent' && LOG_LEVELS.indexOf(at) <= LOG_LEVELS.indexOf(level);
}
