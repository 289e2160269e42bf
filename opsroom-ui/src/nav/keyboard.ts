import type { NodeView } from '@opsroom/models';

export type NavCommand = 'next' | 'prev' | 'enter' | 'up';

/** The navigation command of a key, or null for keys the room leaves alone. */
export function commandOfKey(key: string): NavCommand | null {
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return 'next';
    case 'ArrowLeft':
    case 'ArrowUp':
      return 'prev';
    case 'Enter':
      return 'enter';
    case 'Backspace':
    case 'Escape':
      return 'up';
    default:
      return null;
  }
}

export interface NavPosition {
  focus: string;
  /** The highlighted child of `focus`, if any. */
  cursor: string | null;
}

/**
 * Where a navigation command moves the room.
 * - `next`/`prev` move the cursor among the focused node's children (wrapping); on a leaf they
 *   move the focus itself among its siblings.
 * - `enter` focuses the cursor's child (or the first child when no cursor is set).
 * - `up` focuses the parent, never above `scope`, with the cursor on the node just left.
 *
 * @example
 * // valle has children [valle/norte, valle/sur]
 * navigate(nodes, 'valle', { focus: 'valle', cursor: null }, 'next')        // { focus: 'valle', cursor:
 * 'valle/norte' }
 * navigate(nodes, 'valle', { focus: 'valle', cursor: 'valle/sur' }, 'next') // { focus: 'valle', cursor:
 * 'valle/norte' }
 * navigate(nodes, 'valle', { focus: 'valle/sur', cursor: null }, 'up')      // { focus: 'valle', cursor: 'valle/sur' }
 */
export function navigate(
  nodes: ReadonlyMap<string, NodeView>,
  scope: string,
  at: NavPosition,
  command: NavCommand,
): NavPosition {
  const node = nodes.get(at.focus);
  if (!node) return at;
  const children = node.children.filter((c) => nodes.has(c));
  switch (command) {
    case 'next':
    case 'prev': {
      const delta = command === 'next' ? 1 : -1;
      if (children.length > 0) return { focus: at.focus, cursor: step(children, at.cursor, delta) };
      const parent = node.parent ? nodes.get(node.parent) : undefined;
      if (!parent || at.focus === scope) return at;
      const siblings = parent.children.filter((c) => nodes.has(c));
      return { focus: step(siblings, at.focus, delta), cursor: null };
    }
    case 'enter': {
      const target = at.cursor && children.includes(at.cursor) ? at.cursor : children[0];
      return target ? { focus: target, cursor: null } : at;
    }
    case 'up': {
      if (at.focus === scope || !node.parent || !nodes.has(node.parent)) return at;
      return { focus: node.parent, cursor: at.focus };
    }
  }
}

/** The item `delta` places after `current` in `items`, wrapping; the first (or last) when `current` is absent. */
function step(items: readonly string[], current: string | null, delta: number): string {
  const i = current === null ? -1 : items.indexOf(current);
  if (i < 0) return (delta > 0 ? items[0] : items[items.length - 1]) as string;
  const n = items.length;
  return items[(((i + delta) % n) + n) % n] as string;
}
