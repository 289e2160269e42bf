import { isScalar } from 'yaml';
import type { Node } from 'yaml';
import { didYouMeanSuffix } from './did-you-mean.js';
import type { ChatteringRule } from '@opsroom/models';
import {
  checkNumber,
  describeNode,
  firstOnLine,
  listItems,
  openMap,
  readEntries,
  readNumber,
  POSITIVE,
} from './fields.js';
import type { MapFields } from './fields.js';

/** The correction window of a level the model file gives none for: 15 minutes. */
export const DEFAULT_CORRECTION_WINDOW_SEC = 900;

const WINDOW = POSITIVE('a positive number of seconds');

/** `levels:` — the level names by depth, root first. Unique, non-empty text. */
export function readLevelNames(f: MapFields): string[] {
  const v = f.value('levels');
  if (v === undefined) return [];
  const items = listItems(f.r, v, f.pathOf('levels'), '"levels"', 'level names, root first');
  if (!items) return [];
  const names: string[] = [];
  const seen = new Map<string, Node>();
  for (const item of items) {
    const n = item.node;
    if (!isScalar(n) || typeof n.value !== 'string' || n.value.trim() === '') {
      f.r.report(
        [n, v],
        item.path,
        `a level name must be text, not ${describeNode(n)}`,
        'a level name such as "council"',
      );
      names.push(`#${item.index}`); // keep the depths of the later names right
      continue;
    }
    const first = seen.get(n.value);
    if (first)
      f.r.report(
        n,
        item.path,
        `the level name "${n.value}" is used twice${firstOnLine(f.r, first)}; each depth needs its own name`,
      );
    else seen.set(n.value, n);
    names.push(n.value);
  }
  return names;
}

/**
 * `correction_windows:` — seconds per level, keyed by level name or by depth (0 = root).
 * Returns the window for each depth that has one; {@link windowForDepth} fills in the default.
 */
export function readCorrectionWindows(f: MapFields, levels: readonly string[]): Map<number, number> {
  return readSecondsPerLevel(f, levels, 'correction_windows', 'the correction window');
}

/** The longest an alert may be shelved when the model gives no `max_shelve:` for its level: 8 hours. */
export const DEFAULT_MAX_SHELVE_SEC = 8 * 3600;

/**
 * `max_shelve:` — the longest an alert owned by a node of this level may be shelved, seconds per
 * level (keyed like `correction_windows:`). Levels not listed get {@link DEFAULT_MAX_SHELVE_SEC}.
 */
export function readMaxShelve(f: MapFields, levels: readonly string[]): Map<number, number> {
  return readSecondsPerLevel(f, levels, 'max_shelve', 'the longest shelving');
}

function readSecondsPerLevel(
  f: MapFields,
  levels: readonly string[],
  field: string,
  label: string,
): Map<number, number> {
  const byDepth = new Map<number, number>();
  const givenAs = new Map<number, string>();
  const entries = readEntries(f, field, 'a mapping of level name (or depth) to seconds');
  for (const e of entries ?? []) {
    let depth: number;
    if (typeof e.rawKey === 'number' || /^[0-9]+$/.test(e.key)) {
      depth = Number(e.key);
      if (!Number.isInteger(depth) || depth < 0) {
        f.r.report(
          e.keyNode,
          e.path,
          `"${e.key}" is not a depth; use a level name or a whole number, 0 for the root`,
          'a level name or a depth',
        );
        continue;
      }
    } else {
      depth = levels.indexOf(e.key);
      if (depth < 0) {
        const hint = levels.length
          ? `${didYouMeanSuffix(e.key, levels)} (the levels are ${levels.join(', ')})`
          : '; the model names no "levels:", so key windows by depth (0 = root) or add "levels: [...]"';
        f.r.report(e.keyNode, e.path, `"${e.key}" is not a level name${hint}`, 'a level name or a depth');
        continue;
      }
    }
    if (e.value === undefined) {
      f.r.report(e.keyNode, e.path, `${label} of "${e.key}" has no value`, WINDOW.expected);
      continue;
    }
    const sec = checkNumber(f.r, e.value, e.path, `${label} of "${e.key}"`, WINDOW);
    if (sec === undefined) continue;
    const other = givenAs.get(depth);
    if (other !== undefined) {
      f.r.report(
        e.keyNode,
        e.path,
        `depth ${depth} already has ${label.replace(/^the /, 'a ')}, given as "${other}"; keep one`,
      );
      continue;
    }
    givenAs.set(depth, e.key);
    byDepth.set(depth, sec);
  }
  return byDepth;
}

/** The window for a depth: the level's, else {@link DEFAULT_CORRECTION_WINDOW_SEC}. */
export function windowForDepth(byDepth: ReadonlyMap<number, number>, depth: number): number {
  return byDepth.get(depth) ?? DEFAULT_CORRECTION_WINDOW_SEC;
}

export const CHATTERING_SHAPE = {
  what: 'the chattering rule',
  keys: ['reraises', 'minutes'],
  required: ['reraises', 'minutes'],
} as const;

/**
 * `chattering: { reraises: 3, minutes: 60 }` — an alert that clears and re-raises more than
 * `reraises` times within `minutes` is held as one chattering alert (docs/alerts.md).
 */
export function readChattering(f: MapFields): ChatteringRule | undefined {
  const v = f.value('chattering');
  if (v === undefined) return undefined;
  const g = openMap(f.r, v, f.pathOf('chattering'), CHATTERING_SHAPE);
  if (!g) return undefined;
  const reraises = readNumber(g, 'reraises', {
    expected: 'a whole number ≥ 1',
    accept: (n) => Number.isInteger(n) && n >= 1,
  });
  const minutes = readNumber(g, 'minutes', POSITIVE('a positive number of minutes'));
  return reraises === undefined || minutes === undefined ? undefined : { reraises, minutes };
}
