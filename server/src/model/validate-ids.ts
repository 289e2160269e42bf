import type { Node } from 'yaml';
import type { ModelReader } from './reader.js';

/**
 * Ids of nodes, indicators and devices, and user names: a letter or digit, then up to 63 letters,
 * digits, `_` or `-`. They become path segments (`valle/norte`) and MQTT topic levels, so `/`, `+`,
 * `#`, spaces and dots are out.
 */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
export const ID_EXPECTED = 'a letter or digit, then up to 63 letters, digits, "_" or "-"';

/** True when `id` is a valid id. @example isValidId('taller-1') // true @example isValidId('a/b') // false */
export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** Reports `id` when it is not a valid id, saying why; returns whether it is valid. */
export function checkId(r: ModelReader, node: Node | undefined, path: string, id: string, what: string): boolean {
  if (isValidId(id)) return true;
  let why: string;
  if (id.includes('/')) {
    why = `"/" separates the ids in a node path; give just this ${what}'s own id here and nest nodes with "children:"`;
  } else if (id.length > 64) {
    why = `it is ${id.length} characters long; the most is 64`;
  } else if (!/^[a-z0-9]/i.test(id)) {
    why = 'it must start with a letter or a digit';
  } else {
    const bad = [...new Set(id.replace(/[a-z0-9_-]/gi, ''))].map((c) => JSON.stringify(c)).join(' ');
    why = `it contains ${bad}; use letters, digits, "_" and "-" only`;
  }
  r.report(node, path, `"${id}" is not a valid ${what} id: ${why}`, ID_EXPECTED);
  return false;
}
