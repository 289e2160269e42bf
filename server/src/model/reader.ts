import { isAlias, isCollection, isNode, visit } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';
import type { ModelProblem } from './problems.js';
import { pathAtOffset, positionOfNode, positionOfOffset } from './yaml-positions.js';
import type { Position } from './yaml-positions.js';

/** Where a problem is: a parsed node, or a raw offset into the text. */
export type At = Node | { offset: number } | null | undefined;

/**
 * The state one parse of a model file shares between its section readers: the document (to follow
 * aliases), the line counter (to place problems) and the growing list of problems.
 */
export class ModelReader {
  readonly problems: ModelProblem[] = [];

  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lc: LineCounter,
  ) {}

  /**
   * Records a problem at the first of `at` that has a place in the text (pass the value, then its
   * key or enclosing map as fall-backs); line 1, column 1 when none has.
   */
  report(at: At | readonly At[], path: string, message: string, expected?: string): void {
    const candidates = Array.isArray(at) ? (at as readonly At[]) : [at as At];
    let pos: Position = { line: 1, column: 1 };
    for (const a of candidates) {
      const p = this.positionOf(a);
      if (p) {
        pos = p;
        break;
      }
    }
    const problem: ModelProblem = { file: this.file, line: pos.line, column: pos.column, path, message };
    if (expected !== undefined) problem.expected = expected;
    this.problems.push(problem);
  }

  /** Where `at` is in the text; undefined when it has no place there. */
  positionOf(at: At): Position | undefined {
    return at && 'offset' in at ? positionOfOffset(this.lc, at.offset) : positionOfNode(this.lc, at ?? undefined);
  }

  /**
   * The node a value stands for, following an alias (`*anchor`) to its anchor; undefined for no node.
   * An alias to a mapping or list that itself holds aliases is refused (reported once): following
   * those could nest without end or grow exponentially ("billion laughs").
   */
  resolve(value: unknown): Node | undefined {
    if (!isAlias(value)) return isNode(value) ? value : undefined;
    const target = value.resolve(this.doc);
    if (target === undefined) return undefined;
    if (isCollection(target) && this.holdsAlias(target)) {
      if (!this.refusedAliases.has(value)) {
        this.refusedAliases.add(value);
        const offset = value.range?.[0] ?? 0;
        this.report(
          value,
          pathAtOffset(this.doc.contents, offset),
          `the alias *${value.source} points at a mapping or list that holds aliases itself; copy the content instead`,
        );
      }
      return undefined;
    }
    return target;
  }

  private readonly refusedAliases = new WeakSet<object>();
  private readonly aliasFree = new WeakMap<object, boolean>();

  private holdsAlias(node: Node): boolean {
    const known = this.aliasFree.get(node);
    if (known !== undefined) return !known;
    let found = false;
    visit(node, {
      Alias: () => {
        found = true;
        return visit.BREAK;
      },
    });
    this.aliasFree.set(node, !found);
    return found;
  }
}
