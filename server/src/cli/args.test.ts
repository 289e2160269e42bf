import { describe, expect, it } from '@jest/globals';
import { OPTIONS, resolveConfig } from '../config/config.js';
import { ConfigError } from '../errors.js';
import { parseServerFlags, serverFlagsHelp, shows, takeLogLevel } from './args.js';

describe('takeLogLevel (every one-shot command accepts --log-level)', () => {
  it('takes the flag in both spellings out of the arguments and keeps the rest in order', () => {
    expect(takeLogLevel(['a.csv', '--log-level', 'warn', '--out-dir', 'o'])).toEqual({
      level: 'warn',
      rest: ['a.csv', '--out-dir', 'o'],
    });
    expect(takeLogLevel(['--log-level=silent', 'validate', 'm.yaml'])).toEqual({
      level: 'silent',
      rest: ['validate', 'm.yaml'],
    });
    expect(takeLogLevel(['x'])).toEqual({ level: 'info', rest: ['x'] });
  });

  it('leaves everything after -- alone', () => {
    expect(takeLogLevel(['--', '--log-level', 'x'])).toEqual({ level: 'info', rest: ['--', '--log-level', 'x'] });
  });

  it('refuses an unknown level or a missing value, naming the levels', () => {
    expect(() => takeLogLevel(['--log-level', 'loud'])).toThrow(ConfigError);
    expect(() => takeLogLevel(['--log-level', 'loud'])).toThrow(/fatal, error, warn, info, debug, trace, silent/);
    expect(() => takeLogLevel(['--log-level'])).toThrow(/needs a value/);
  });

  it('shows: info lines at info and below, nothing at silent', () => {
    expect(shows('info', 'info')).toBe(true);
    expect(shows('debug', 'info')).toBe(true);
    expect(shows('warn', 'info')).toBe(false);
    expect(shows('warn', 'error')).toBe(true);
    expect(shows('silent', 'fatal')).toBe(false);
  });
});

describe('server flags', () => {
  it('--log-level and OPSROOM_LOG_LEVEL set the level; the flag wins; a bad one is refused', () => {
    expect(resolveConfig(parseServerFlags(['--log-level', 'debug']).flags, {}).logLevel).toBe('debug');
    expect(resolveConfig({}, { OPSROOM_LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
    expect(resolveConfig({ 'log-level': 'error' }, { OPSROOM_LOG_LEVEL: 'warn' }).logLevel).toBe('error');
    expect(resolveConfig({}, {}).logLevel).toBe('info');
    expect(() => resolveConfig({ 'log-level': 'verbose' }, {})).toThrow(/--log-level must be one of/);
  });

  it('--help lines up: every flag, then at least two spaces, then its help', () => {
    const lines = serverFlagsHelp().split('\n');
    const flagLines = lines.filter((l) => l.startsWith('  --'));
    expect(flagLines).toHaveLength(OPTIONS.length);
    const cols = new Set(flagLines.map((l) => /^ {2}--\S+ <value>\s+/.exec(l)![0].length));
    expect(cols.size).toBe(1);
    for (const l of flagLines) expect(l).toMatch(/<value> {2,}\S/);
  });
});
