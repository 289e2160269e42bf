import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Model } from '@opsroom/models';
import { silentLogger, type Logger } from '../log/logger.js';
import { parseModel, unreadableFileProblem } from './load-model.js';
import { formatProblem, type ModelProblem } from './problems.js';

export interface WatchModelOptions {
  /** Quiet time after the last change event before the file is read (editors write in bursts). Default 250 ms. */
  debounceMs?: number;
  logger?: Logger;
}

export interface ModelWatcher {
  /** Stops watching; no callback runs after it returns. Idempotent. */
  close(): void;
}

/** Default quiet time before a changed model file is read. */
export const MODEL_WATCH_DEBOUNCE_MS = 250;

/**
 * Watches a model file and reloads it when it changes, so an edit takes effect without a restart.
 *
 * - A valid new version calls `onChange(model)`.
 * - An invalid one calls `onError(problems)` with the very problems `opsroom model validate`
 *   prints (`formatProblem` formats each); the caller keeps running the old model.
 * - A change that leaves the text as it was last read (a `touch`, an editor saving twice) calls
 *   nothing.
 *
 * It watches the file's directory, not the file: editors often save by writing a new file and
 * renaming it over the old one, which ends a watch on the file itself. Events are debounced, and
 * reloads never overlap (a change during a reload is read when that reload ends). A file that has
 * vanished (mid-rename) is tried once more after the debounce before it is reported.
 */
export function watchModelFile(
  path: string,
  onChange: (model: Model) => void,
  onError: (problems: readonly ModelProblem[]) => void,
  opts: WatchModelOptions = {},
): ModelWatcher {
  const file = resolve(path);
  const name = basename(file);
  const debounceMs = opts.debounceMs ?? MODEL_WATCH_DEBOUNCE_MS;
  const log = opts.logger ?? silentLogger;
  let lastText: string | null = null;
  try {
    lastText = readFileSync(file, 'utf8');
  } catch {
    /* not there yet: the first version that appears is loaded */
  }
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let reloading = false;
  let again = false;
  let missingRetried = false;

  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void reload();
    }, debounceMs);
  };

  const reload = async (): Promise<void> => {
    if (reloading) {
      again = true;
      return;
    }
    reloading = true;
    try {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !missingRetried) {
          missingRetried = true; // most likely an editor's rename in progress: look once more
          schedule();
          return;
        }
        missingRetried = false;
        if (closed) return;
        const problem = unreadableFileProblem(path, err);
        log.warn(
          { file: path, problem: formatProblem(problem) },
          'model file: cannot read the changed file; the current model keeps running',
        );
        onError([problem]);
        return;
      }
      missingRetried = false;
      if (closed || text === lastText) return;
      lastText = text;
      const { model, problems } = parseModel(text, path);
      if (model) {
        log.info(
          {
            file: path,
            nodes: model.nodes.size,
            indicators: model.indicators.length,
            devices: model.devices.size,
            users: model.users.size,
          },
          'model file changed: reloaded',
        );
        onChange(model);
      } else {
        log.warn(
          { file: path, problems: problems.map(formatProblem) },
          `model file changed but has ${problems.length} problem(s); the current model keeps running`,
        );
        onError(problems);
      }
    } catch (err) {
      log.error({ err, file: path }, 'model file: reload failed; the current model keeps running');
    } finally {
      reloading = false;
      if (again && !closed) {
        again = false;
        schedule();
      }
    }
  };

  let watcher: FSWatcher;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      // `changed` can be null on some platforms: then any change in the directory may be ours.
      if (changed === null || changed === name) schedule();
    });
  } catch (err) {
    throw new Error(
      `cannot watch the model file ${path} for changes ` +
        `(${(err as Error).message}); check that its directory exists, or start ` +
        `without reloading`,
      { cause: err },
    );
  }
  watcher.on('error', (err) =>
    log.error({ err, file: path }, 'model file: watching stopped; restart the server to pick up further changes'),
  );

  return {
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      watcher.close();
    },
  };
}
