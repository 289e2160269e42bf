/** One thing wrong in a model file, located for a human: `valle.yaml:12:9  nodes[0].children[1].id  …`. */
export interface ModelProblem {
  file: string;
  /** 1-based; 0 when the problem is with the file as a whole (e.g. it cannot be read). */
  line: number;
  /** 1-based; 0 with `line`. */
  column: number;
  /** The field at fault, e.g. `nodes[0].children[2].id`; '' for the document itself. */
  path: string;
  message: string;
  /** What the field should hold, e.g. `a positive number of seconds`. */
  expected?: string;
}

/** `file:line:column  field.path  message (expected …)` — the line `opsroom model validate` prints. */
export function formatProblem(p: ModelProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  const expected = p.expected ? ` (expected ${p.expected})` : '';
  return `${where}  ${p.path || '(document)'}  ${p.message}${expected}`;
}

/** Problems in reading order: by line, then column. Stable for problems at the same place. */
export function sortProblems(problems: readonly ModelProblem[]): ModelProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * A model file that was refused. The message lists every problem, one per line, so a start-up log
 * or a CLI shows all of them at once; `problems` holds them for programs.
 */
export class ModelFileError extends Error {
  readonly code = 'OPS_ERR_MODEL_FILE';
  constructor(
    readonly file: string,
    readonly problems: readonly ModelProblem[],
  ) {
    const n = problems.length;
    super(
      `the model file ${file} has ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} and start again ` +
        `(check it with \`opsroom model validate ${file}\`):\n` +
        problems.map((p) => '  ' + formatProblem(p)).join('\n'),
    );
    this.name = 'ModelFileError';
  }
}
