import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { didYouMeanSuffix } from './did-you-mean.js';
import type { At, ModelReader } from './reader.js';
import { joinPath } from './yaml-positions.js';

/**
 * Typed, position-aware reads of the parsed YAML. Every reader reports what is wrong and returns
 * undefined for a field it cannot use, so one pass finds every problem in the file.
 */

/** The keys a mapping may hold. */
export interface MapShape {
  /** How messages name the mapping: `a node`, `an indicator`. */
  what: string;
  /** Every allowed key, in the order the docs list them. */
  keys: readonly string[];
  required?: readonly string[];
  /** Keys refused with their own message (e.g. a plain-text `password`). */
  forbidden?: Readonly<Record<string, string>>;
}

/** `a number (42)`, `a list`… — how a message names what it found instead. */
export function describeNode(n: Node | undefined): string {
  if (n === undefined) return 'nothing';
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) {
    const v = n.value;
    if (v === null) return 'an empty value';
    if (typeof v === 'number') return `a number (${v})`;
    if (typeof v === 'boolean') return `${v}`;
    if (typeof v === 'string') return `the text "${v}"`;
  }
  return 'an unsupported value';
}

const isNullScalar = (n: Node | undefined): boolean => isScalar(n) && n.value === null;

/** The fields of one mapping, checked against its shape. */
export class MapFields {
  constructor(
    readonly r: ModelReader,
    readonly node: YAMLMap,
    readonly path: string,
    readonly shape: MapShape,
    private readonly pairs: ReadonlyMap<string, Pair>,
  ) {}

  /** Required keys whose empty value was already reported (value() may be asked more than once). */
  private readonly reportedEmpty = new Set<string>();

  has(key: string): boolean {
    return this.pairs.has(key);
  }

  keyNode(key: string): Node | undefined {
    return this.r.resolve(this.pairs.get(key)?.key);
  }

  pathOf(key: string): string {
    return joinPath(this.path, key);
  }

  /** Where to report a problem with `key`: its value, else its key, else the mapping. */
  at(key: string): At[] {
    return [this.r.resolve(this.pairs.get(key)?.value), this.keyNode(key), this.node];
  }

  /**
   * The value node of `key`, or undefined when the key is absent or has an empty value
   * (an empty required field is reported here).
   */
  value(key: string): Node | undefined {
    const pair = this.pairs.get(key);
    if (!pair) return undefined;
    const v = this.r.resolve(pair.value);
    if (v === undefined || isNullScalar(v)) {
      if (this.shape.required?.includes(key) && !this.reportedEmpty.has(key)) {
        this.reportedEmpty.add(key);
        this.r.report([this.keyNode(key), v], this.pathOf(key), `"${key}" has no value`);
      }
      return undefined;
    }
    return v;
  }
}

/**
 * Opens `node` as a mapping of the given shape: reports a non-mapping, unknown keys (with a
 * did-you-mean), forbidden keys, repeated keys and missing required keys.
 */
export function openMap(
  r: ModelReader,
  node: Node | undefined,
  path: string,
  shape: MapShape,
  fallback?: At,
): MapFields | undefined {
  if (!isMap(node)) {
    const found = describeNode(node);
    const message = path
      ? `${path} must be ${shape.what} (a mapping of key: value), not ${found}`
      : `the model file must be a mapping of key: value at the top level (name:, nodes:, …), not ${found}`;
    r.report([node, fallback], path, message);
    return undefined;
  }
  const pairs = new Map<string, Pair>();
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const keyNode = r.resolve(pair.key);
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
      r.report(
        [keyNode, node],
        path,
        `keys of ${shape.what} must be plain words, not ${describeNode(keyNode)}`,
        `one of: ${shape.keys.join(', ')}`,
      );
      continue;
    }
    const key = keyNode.value;
    const keyPath = joinPath(path, key);
    const forbidden = shape.forbidden?.[key];
    if (forbidden !== undefined) {
      r.report(keyNode, keyPath, forbidden);
      continue;
    }
    if (!shape.keys.includes(key)) {
      r.report(
        keyNode,
        keyPath,
        `unknown key "${key}" in ${shape.what}${didYouMeanSuffix(key, shape.keys)}`,
        `one of: ${shape.keys.join(', ')}`,
      );
      continue;
    }
    const first = pairs.get(key);
    if (first) {
      const firstAt = r.resolve(first.key);
      r.report(keyNode, keyPath, `"${key}" is given twice in ${shape.what}${firstOnLine(r, firstAt)}; keep one`);
      continue;
    }
    pairs.set(key, pair);
  }
  for (const key of shape.required ?? []) {
    if (!pairs.has(key)) r.report(node, joinPath(path, key), `${shape.what} is missing the required field "${key}"`);
  }
  return new MapFields(r, node, path, shape, pairs);
}

/** ` (first on line 7)` or '' — for messages about a repeated key or id. */
export function firstOnLine(r: ModelReader, n: Node | undefined): string {
  const p = r.positionOf(n);
  return p ? ` (first on line ${p.line})` : '';
}

/** A text field; a number or boolean is refused with a hint to quote it. */
export function readString(f: MapFields, key: string, expected = 'text'): string | undefined {
  const v = f.value(key);
  if (v === undefined) return undefined;
  if (isScalar(v) && typeof v.value === 'string') {
    if (v.value.trim() === '') {
      f.r.report(v, f.pathOf(key), `"${key}" is empty`, expected);
      return undefined;
    }
    return v.value;
  }
  const hint = isScalar(v) ? `; put it in quotes if you mean text: ${key}: "${String(v.value)}"` : '';
  f.r.report(v, f.pathOf(key), `"${key}" must be ${expected}, not ${describeNode(v)}${hint}`, expected);
  return undefined;
}

/** A true/false field (`disabled: true`); anything else is refused. */
export function readBoolean(f: MapFields, key: string): boolean | undefined {
  const v = f.value(key);
  if (v === undefined) return undefined;
  if (isScalar(v) && typeof v.value === 'boolean') return v.value;
  f.r.report(v, f.pathOf(key), `"${key}" must be true or false, not ${describeNode(v)}`, 'true or false');
  return undefined;
}

/** What a number field accepts. */
export interface NumberRule {
  /** E.g. `a positive number of seconds`. */
  expected: string;
  /** Extra check on a finite number; true when acceptable. */
  accept?: (n: number) => boolean;
}

export const POSITIVE: (expected: string) => NumberRule = (expected) => ({ expected, accept: (n) => n > 0 });
export const NON_NEGATIVE: (expected: string) => NumberRule = (expected) => ({ expected, accept: (n) => n >= 0 });

/** Checks a number node against a rule (shared by fixed fields and free-form mappings). */
export function checkNumber(
  r: ModelReader,
  v: Node,
  path: string,
  label: string,
  rule: NumberRule,
): number | undefined {
  if (!isScalar(v) || typeof v.value !== 'number') {
    r.report(v, path, `${label} must be ${rule.expected}, not ${describeNode(v)}`, rule.expected);
    return undefined;
  }
  const n = v.value;
  if (!Number.isFinite(n) || (rule.accept && !rule.accept(n))) {
    r.report(v, path, `${label} must be ${rule.expected}, not ${n}`, rule.expected);
    return undefined;
  }
  return n;
}

export function readNumber(f: MapFields, key: string, rule: NumberRule): number | undefined {
  const v = f.value(key);
  return v === undefined ? undefined : checkNumber(f.r, v, f.pathOf(key), `"${key}"`, rule);
}

/** One item of a list, with its field path. */
export interface Item {
  node: Node | undefined;
  path: string;
  index: number;
}

/** The items of a list field; undefined (reported) when the field holds something else. */
export function readList(f: MapFields, key: string, itemsAre: string): Item[] | undefined {
  const v = f.value(key);
  if (v === undefined) return undefined;
  return listItems(f.r, v, f.pathOf(key), `"${key}"`, itemsAre);
}

export function listItems(r: ModelReader, v: Node, path: string, label: string, itemsAre: string): Item[] | undefined {
  if (!isSeq(v)) {
    r.report(
      v,
      path,
      `${label} must be a list of ${itemsAre} (lines starting with "- "), not ${describeNode(v)}`,
      `a list of ${itemsAre}`,
    );
    return undefined;
  }
  return v.items.map((item, index) => ({ node: r.resolve(item), path: joinPath(path, index), index }));
}

/** One entry of a free-form mapping (`weights:`, `correction_windows:`…). */
export interface Entry {
  /** The key as text (`0` for a numeric key 0). */
  key: string;
  /** The key as YAML typed it (a number for `0:`). */
  rawKey: unknown;
  keyNode: Node;
  /** The value; undefined when empty. */
  value: Node | undefined;
  path: string;
}

/** The entries of a free-form mapping field; repeated keys are reported and dropped. */
export function readEntries(f: MapFields, key: string, what: string): Entry[] | undefined {
  const v = f.value(key);
  if (v === undefined) return undefined;
  const path = f.pathOf(key);
  if (!isMap(v)) {
    f.r.report(v, path, `"${key}" must be ${what}, not ${describeNode(v)}`, what);
    return undefined;
  }
  const out: Entry[] = [];
  const seen = new Map<string, Node>();
  for (const pair of v.items) {
    if (!isPair(pair)) continue;
    const keyNode = f.r.resolve(pair.key);
    if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
      f.r.report([keyNode, v], path, `keys of "${key}" must be words or numbers, not ${describeNode(keyNode)}`, what);
      continue;
    }
    const k = String(keyNode.value);
    const entryPath = joinPath(path, k);
    const first = seen.get(k);
    if (first) {
      f.r.report(keyNode, entryPath, `"${k}" is given twice in "${key}"${firstOnLine(f.r, first)}; keep one`);
      continue;
    }
    seen.set(k, keyNode);
    const value = f.r.resolve(pair.value);
    out.push({
      key: k,
      rawKey: keyNode.value,
      keyNode,
      value: isNullScalar(value) ? undefined : value,
      path: entryPath,
    });
  }
  return out;
}
