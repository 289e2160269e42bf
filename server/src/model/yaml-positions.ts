import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { LineCounter, Node } from 'yaml';

/** A 1-based place in the source text. */
export interface Position {
  line: number;
  column: number;
}

/** Where an offset into the source is, 1-based, from the LineCounter the parser filled. */
export function positionOfOffset(lc: LineCounter, offset: number): Position {
  const { line, col } = lc.linePos(Math.max(0, offset));
  // linePos answers line 0 before the first newline it has seen; the text then starts on line 1.
  return line === 0 ? { line: 1, column: offset + 1 } : { line, column: col };
}

/** Where a parsed node starts; undefined for a node the parser did not place (created, or absent). */
export function positionOfNode(lc: LineCounter, node: Node | null | undefined): Position | undefined {
  const start = node?.range?.[0];
  return start === undefined ? undefined : positionOfOffset(lc, start);
}

/**
 * `a.b[2].c` from its segments. Keys that are not plain identifiers are quoted: `weights["per m²"]`.
 * @example joinPath('nodes[0]', 'children') // 'nodes[0].children'
 * @example joinPath('nodes', 0) // 'nodes[0]'
 * @example joinPath('', 'name') // 'name'
 */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}

/**
 * The field path of the innermost node that contains `offset`, for locating a syntax error
 * in terms of the model (`nodes[0].children[1]`); '' when it lies outside every collection.
 */
export function pathAtOffset(root: unknown, offset: number): string {
  let path = '';
  let node: unknown = root;
  const within = (n: unknown): boolean => {
    const r = (n as Node | null)?.range;
    return !!r && offset >= r[0] && offset < Math.max(r[2], r[0] + 1);
  };
  for (let guard = 0; guard < 1000; guard++) {
    let next: unknown;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined) continue;
        if (within(pair.key) || within(pair.value)) {
          path = joinPath(path, key);
          next = within(pair.value) ? pair.value : undefined;
          break;
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if (next === undefined && within(item)) {
          path = joinPath(path, i);
          next = item;
        }
      });
    }
    if (next === undefined) return path;
    node = next;
  }
  return path;
}
