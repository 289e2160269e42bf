import { resolve } from 'node:path';
import { OPTIONS } from '../config/config.js';
import { ConfigError } from '../errors.js';

/** What `opsroom demo` takes beyond the server flags of `start`. */
export interface DemoFlags {
  agentsOnly: boolean;
  /** Mean seconds between injected faults; 0 = none. Undefined: the demo's default. */
  faultEverySec?: number;
  /** Absolute path of the faults log (one JSON line per injected fault). */
  faultsLog?: string;
}

/** The demo's own flags: name, environment variable (if any), help. */
export const DEMO_FLAGS = [
  { flag: 'agents-only', env: null, value: false, help: 'only the simulated agents, against --broker-url (no server)' },
  {
    flag: 'fault-every',
    env: 'OPSROOM_FAULT_EVERY',
    value: true,
    help: 'mean seconds between injected faults (default 60; 0 = no faults)',
  },
  {
    flag: 'faults-log',
    env: 'OPSROOM_FAULTS_LOG',
    value: true,
    help:
      'append one JSON line per injected fault to this file: at, atMs, ' +
      'device, node, metric, kind, size, sizeSigma, durationMs',
  },
] as const;

/**
 * Takes the demo's flags out of `argv` (as `--flag value` or `--flag=value`; the environment
 * variable when the flag is absent) and returns the rest for the server flags' parser.
 * @example splitDemoFlags(['--fault-every', '20', '--http-port', '0'], {}) // { demo: { agentsOnly: false,
 * faultEverySec: 20 }, rest: ['--http-port', '0'] }
 */
export function splitDemoFlags(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): { demo: DemoFlags; rest: string[] } {
  const given: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : '';
    const def = DEMO_FLAGS.find((f) => f.flag === name);
    if (!def) {
      rest.push(arg);
      continue;
    }
    if (!def.value) {
      if (eq >= 0) throw new ConfigError(`--${name} takes no value`);
      given[name] = true;
    } else if (eq >= 0) {
      given[name] = arg.slice(eq + 1);
    } else {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ConfigError(`--${name} needs a value`);
      given[name] = v;
    }
  }
  const raw = (flag: 'fault-every' | 'faults-log', envName: string): { text: string; from: string } | undefined => {
    const v = given[flag];
    if (typeof v === 'string') return { text: v, from: `--${flag}` };
    const e = env[envName];
    return e !== undefined && e !== '' ? { text: e, from: envName } : undefined;
  };
  const demo: DemoFlags = { agentsOnly: given['agents-only'] === true };
  const every = raw('fault-every', 'OPSROOM_FAULT_EVERY');
  if (every) {
    const n = Number(every.text);
    if (every.text.trim() === '' || !Number.isFinite(n) || n < 0)
      throw new ConfigError(
        `${every.from} must be a number of seconds >= 0 (0 = no faults), got ${JSON.stringify(every.text)}`,
      );
    demo.faultEverySec = n;
  }
  const log = raw('faults-log', 'OPSROOM_FAULTS_LOG');
  if (log) demo.faultsLog = resolve(log.text);
  return { demo, rest };
}

/** The demo flags' help, in the columns of the server flags' help (args.ts). */
export function demoFlagsHelp(): string {
  const width = Math.max(...OPTIONS.map((o) => o.flag.length)) + 12;
  return DEMO_FLAGS.map(
    (f) =>
      `  --${f.flag}${f.value ? ' <value>' : ''}`.padEnd(width) +
      f.help +
      (f.env ? `\n${' '.repeat(width)}env: ${f.env}` : ''),
  ).join('\n');
}
