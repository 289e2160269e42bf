import { loadModelFile } from './load-model.js';
import { formatProblem, ModelFileError } from './problems.js';
import { modelHash } from './model-hash.js';
import { summarizeServers } from './ownership.js';
import { summarizeModel } from './summary.js';

/**
 * `opsroom model validate FILE`: prints a summary (with which server owns what, and the model hash that
 * federated servers compare) and returns 0 for a good file; prints every
 * problem as `file:line:column  field.path  message` and returns 1 for a bad (or unreadable) one.
 */
export async function runValidate(file: string, out: (line: string) => void): Promise<number> {
  try {
    const model = await loadModelFile(file);
    out(`${file}: OK`);
    for (const line of summarizeModel(model)) out(line);
    for (const line of summarizeServers(model)) out(line);
    out(`model hash ${modelHash(model)}`);
    return 0;
  } catch (err) {
    if (!(err instanceof ModelFileError)) throw err;
    for (const p of err.problems) out(formatProblem(p));
    const n = err.problems.length;
    out(`${file}: ${n} problem${n === 1 ? '' : 's'}; the model was refused`);
    return 1;
  }
}
