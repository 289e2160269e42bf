/**
 * The one model reload path: every component reads the model through `current()` and hears of a
 * reload through `subscribe()`. The model file watcher calls `replace()` with a model that already
 * passed validation; listeners run in the order they subscribed, and one that throws is logged
 * without keeping the others from the new model.
 *
 * The holder is also the one place a model is narrowed (issue 19 point 1): with `narrow` (start.ts: the part of a
 * federated model this server owns, model/ownership.ts) every model is narrowed before it is in force, so
 * components only ever see what this server runs. A model `narrow` throws on is refused by replace(): the old runs on.
 */
import type { Model } from '@opsroom/models';
import { silentLogger, type Logger } from '../log/logger.js';

export type ModelListener = (next: Model, previous: Model) => void;

export class ModelHolder {
  private model: Model;
  private readonly listeners: ModelListener[] = [];

  constructor(
    initial: Model,
    private readonly log: Logger = silentLogger,
    private readonly narrow: (model: Model) => Model = (model) => model,
  ) {
    this.model = narrow(initial);
  }

  /** The model in force now. */
  current(): Model {
    return this.model;
  }

  /** Calls `listener` after every replace() until the returned function is called. */
  subscribe(listener: ModelListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Puts `next` (narrowed) in force, then tells every listener (next, previous). Throws what `narrow` throws. */
  replace(full: Model): void {
    const next = this.narrow(full);
    const previous = this.model;
    this.model = next;
    for (const listener of [...this.listeners]) {
      try {
        listener(next, previous);
      } catch (err) {
        this.log.error({ err }, 'model reload: a component failed to take the new model; the others have it');
      }
    }
  }
}
