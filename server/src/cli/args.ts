import { parseArgs } from 'node:util';
import { OPTIONS, type OptionFlag } from '../config/config.js';

/** Parses the server flags shared by `start` and `demo`; unknown flags are an error naming them. */
export function parseServerFlags(argv: string[]): { flags: Partial<Record<OptionFlag, string>>; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
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
  const w = Math.max(...OPTIONS.map((o) => o.flag.length)) + 8;
  return OPTIONS.map((o) => `  --${o.flag} <value>`.padEnd(w + 4) + `${o.help}\n${' '.repeat(w + 4)}env: ${o.env}`).join('\n');
}
