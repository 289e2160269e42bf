import { readFile } from 'node:fs/promises';
import type { Model } from '@opsroom/models';
import { LineCounter, parseDocument } from 'yaml';
import { ModelFileError, sortProblems } from './problems.js';
import type { ModelProblem } from './problems.js';
import { ModelReader } from './reader.js';
import { readModel } from './read-model.js';
import { pathAtOffset } from './yaml-positions.js';

/** The outcome of parsing a model file: the model when, and only when, `problems` is empty. */
export interface ParseResult {
  model?: Model;
  /** Every problem found, in reading order. */
  problems: ModelProblem[];
}

/**
 * Parses the text of a model file (format: models/README.md) into a {@link Model}, or lists every
 * problem with its line, column and field path. Never throws on bad input.
 *
 * YAML syntax errors are reported first and stop the reading there, since the tree after a syntax
 * error is a guess; a file that parses is then checked as a whole.
 */
export function parseModel(text: string, file: string): ParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  const r = new ModelReader(file, doc, lc);
  for (const e of [...doc.errors, ...doc.warnings]) {
    const where = pathAtOffset(doc.contents, e.pos[0]);
    r.report(
      { offset: e.pos[0] },
      where,
      `YAML ${e.name === 'YAMLWarning' ? 'warning' : 'syntax error'}: ${firstLine(e.message)}`,
    );
  }
  if (doc.errors.length > 0) return { problems: sortProblems(r.problems) };
  const model = readModel(r, doc.contents);
  const problems = sortProblems(r.problems);
  return problems.length === 0 && model ? { model, problems } : { problems };
}

const firstLine = (s: string): string => s.split('\n', 1)[0]!.replace(/:\s*$/, '');

/**
 * The one problem reported for a model file that cannot be read (missing, unreadable), as
 * `opsroom model validate` prints it.
 */
export function unreadableFileProblem(path: string, err: unknown): ModelProblem {
  const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (err as Error).message;
  return {
    file: path,
    line: 0,
    column: 0,
    path: '',
    message: `cannot read the model file: ${why}; check the path given to --model (or OPSROOM_MODEL)`,
  };
}

/**
 * Reads and parses a model file. Throws {@link ModelFileError} listing every problem — also when
 * the file cannot be read.
 */
export async function loadModelFile(path: string): Promise<Model> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelFileError(path, [unreadableFileProblem(path, err)]);
  }
  const { model, problems } = parseModel(text, path);
  if (!model) throw new ModelFileError(path, problems);
  return model;
}
