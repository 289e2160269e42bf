/**
 * The checks every agent configuration field goes through: each failure names the dotted field,
 * and (from a YAML file) the file and line.
 */
import { METRIC_PATTERN } from '@opsroom/models';

export const METRIC_RULE = {
  pattern: METRIC_PATTERN,
  what: 'a metric id (a letter, then letters, digits, _; at most 64)',
};
export const PREFIX_RULE = {
  pattern: /^([A-Za-z][A-Za-z0-9_]{0,31})?$/,
  what: 'a metric id prefix (a letter, then letters, digits, _)',
};

/** A configuration the agent cannot run with. `field` is the dotted path of the culprit. */
export class AgentConfigError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(`${file ? `${file}${line ? `:${line}` : ''}: ` : ''}${field ? `${field}: ` : ''}${problem}`);
    this.name = 'AgentConfigError';
  }
}

export type Path = (string | number)[];
export type Locate = (path: Path) => number | undefined;

export const fieldName = (path: Path) => path.join('.');
export const show = (x: unknown) => (typeof x === 'string' ? JSON.stringify(x) : String(x));

export class Checker {
  constructor(
    private readonly file: string | undefined,
    private readonly locate: Locate,
  ) {}

  fail(path: Path, problem: string): never {
    throw new AgentConfigError(fieldName(path), problem, this.file, this.locate(path));
  }

  object(x: unknown, path: Path, allowed: readonly string[]): Record<string, unknown> {
    if (typeof x !== 'object' || x === null || Array.isArray(x))
      this.fail(path, `must be a mapping of fields, got ${Array.isArray(x) ? 'a list' : show(x)}`);
    const o = x as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.fail([...path, k], `unknown field; expected one of ${allowed.join(', ')}`);
    }
    return o;
  }

  string(x: unknown, path: Path, rule?: { pattern: RegExp; what: string }): string {
    if (typeof x !== 'string' || x === '')
      this.fail(path, `must be a non-empty string, got ${x === undefined ? 'nothing' : show(x)}`);
    if (rule && !rule.pattern.test(x)) this.fail(path, `${show(x)} is not ${rule.what}`);
    return x;
  }

  oneOf<T extends string>(x: unknown, path: Path, allowed: readonly T[], dflt: T): T {
    if (x === undefined) return dflt;
    if (typeof x !== 'string' || !allowed.includes(x as T))
      this.fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${show(x)}`);
    return x as T;
  }

  boolean(x: unknown, path: Path, dflt: boolean): boolean {
    if (x === undefined) return dflt;
    if (typeof x !== 'boolean') this.fail(path, `must be true or false, got ${show(x)}`);
    return x;
  }

  stringMap(x: unknown, path: Path, keyRule?: { pattern: RegExp; what: string }): Record<string, string> {
    if (x === undefined) return {};
    const o = this.object(x, path, Object.keys((x as object) ?? {}));
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) {
      if (keyRule && !keyRule.pattern.test(k)) this.fail([...path, k], `${show(k)} is not ${keyRule.what}`);
      out[k] = this.string(v, [...path, k]);
    }
    return out;
  }

  number(x: unknown, path: Path, opts: { integer?: boolean; min?: number; max?: number; unit?: string } = {}): number {
    const unit = opts.unit ? ` (${opts.unit})` : '';
    const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : '']
      .filter(Boolean)
      .join(' and ');
    const want = `${opts.integer ? 'an integer' : 'a number'}${range ? ' ' + range : ''}${unit}`;
    if (typeof x !== 'number' || !Number.isFinite(x))
      this.fail(path, `must be ${want}, got ${x === undefined ? 'nothing' : show(x)}`);
    if (
      (opts.integer && !Number.isInteger(x)) ||
      (opts.min !== undefined && x < opts.min) ||
      (opts.max !== undefined && x > opts.max)
    ) {
      this.fail(path, `must be ${want}, got ${x}`);
    }
    return x;
  }
}
