import type { Node } from 'yaml';
import { didYouMean } from './did-you-mean.js';
import type { ModelReader } from './reader.js';
import type { NodeTree } from './read-nodes.js';
import type { ReadIndicator } from './read-indicators.js';

/** Appended when the nodes had problems of their own, which may be the cause. */
const MAYBE_TREE = ' (the nodes have problems too, which may be why)';

/**
 * The message for a path that names no node, with the likeliest meant path: the full path of a
 * node whose own id it is (`taller-1` -> `valle/norte/lana/taller-1`), else the closest path.
 * @example missingNodeMessage('valle/nrte', ['valle', 'valle/norte']) // …did you mean "valle/norte"?
 */
export function missingNodeMessage(value: string, paths: readonly string[], treeHasProblems = false): string {
  const byId = paths.filter((p) => p.slice(p.lastIndexOf('/') + 1) === value);
  let hint = '';
  if (byId.length === 1) hint = `; did you mean "${byId[0]}"? Write the full path from the root`;
  else if (byId.length > 1)
    hint = `; several nodes have that id (${byId.join(', ')}): write the full path from the root`;
  else {
    const close = didYouMean(value, paths);
    if (close !== undefined) hint = `; did you mean "${close}"?`;
  }
  return `no node has the path "${value}"${hint}${treeHasProblems ? MAYBE_TREE : ''}`;
}

/** Reports a node path (a device's `node:`, a user's `scope:`) that is not in the tree. */
export function checkNodePath(
  r: ModelReader,
  tree: NodeTree,
  node: Node | undefined,
  path: string,
  value: string,
): boolean {
  if (tree.nodes.has(value)) return true;
  r.report(
    node,
    path,
    missingNodeMessage(value, [...tree.nodes.keys()], tree.hasProblems),
    'a node path from the root, e.g. "valle/norte"',
  );
  return false;
}

/** Reports each indicator whose `weight:` no node defines under `weights:`. */
export function checkWeightsDefined(r: ModelReader, indicators: readonly ReadIndicator[], tree: NodeTree): void {
  for (const ind of indicators) {
    const w = ind.def.weight;
    if (w === undefined || tree.weightNames.has(w) || !ind.weightAt) continue;
    const close = didYouMean(w, tree.weightNames);
    const hint =
      close !== undefined ? `; did you mean "${close}"?` : `; add "weights: { ${w}: … }" to the nodes it weighs`;
    const maybe = tree.hasProblems ? MAYBE_TREE : '';
    r.report(
      ind.weightAt.node,
      ind.weightAt.path,
      `no node defines the weight "${w}"${hint}${maybe}`,
      'the name of a weight some node defines',
    );
  }
}
