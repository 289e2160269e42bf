// The public surface of the model-file loader: parse and check the YAML file that describes an
// organisation (format: models/README.md), summarise it, and cut scoped views of it.
export { parseModel, loadModelFile, unreadableFileProblem } from './load-model.js';
export type { ParseResult } from './load-model.js';
export { ModelFileError, formatProblem, sortProblems } from './problems.js';
export type { ModelProblem } from './problems.js';
export { DEFAULT_CORRECTION_WINDOW_SEC, DEFAULT_MAX_SHELVE_SEC } from './read-levels.js';
export { ID_PATTERN, isValidId } from './validate-ids.js';
export { summarizeModel, formatSeconds } from './summary.js';
export { modelView, withLiveValues } from './view.js';
export { runValidate } from './validate-command.js';
export { runHashSecret } from './hash-command.js';
export { editDistance, didYouMean } from './did-you-mean.js';
export { watchModelFile, MODEL_WATCH_DEBOUNCE_MS } from './watch-model.js';
export type { ModelWatcher, WatchModelOptions } from './watch-model.js';
export { ownership, ownerOfEachNode, chooseServer, narrowTo, summarizeServers } from './ownership.js';
export type { Ownership, BoundaryNode } from './ownership.js';
export { modelHash, canonicalJson } from './model-hash.js';
