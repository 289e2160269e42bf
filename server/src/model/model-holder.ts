/**
 * The one model reload path: every component reads the model through `current()` and hears of a
 * reload through `subscribe()`. The model file watcher calls `replace()` with a model that already
 * passed validation; listeners run in the order they subscribed, and one that throws is logged
 * without keeping the others from the new model.
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
  ) {
    this.model = initial;
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

  /** Puts `next` in force, then tells every listener (next, previous). */
  replace(next: Model): void {
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
