// Long reads in slices (issue 18 point 3): a read gives the event loop a turn once it has held it
// for a few milliseconds, so no history request blocks the loop for more than about 10 ms.
import { performance } from 'node:perf_hooks';

/** How long a read may hold the event loop before it yields, ms. */
export const TURN_BUDGET_MS = 4;

/**
 * Counts the time since the event loop last had a turn; `maybeYield()` yields (setImmediate) once
 * `budgetMs` has passed and resolves at once before that.
 *
 * Example: `const b = new TurnBudget(); for (...) { work(); await b.maybeYield(); }` holds the loop
 * for at most about budgetMs plus one `work()` at a time.
 */
export class TurnBudget {
  private since = performance.now();

  constructor(private readonly budgetMs = TURN_BUDGET_MS) {}

  /** True when the budget is spent (the caller should yield). */
  spent(): boolean {
    return performance.now() - this.since >= this.budgetMs;
  }

  async maybeYield(): Promise<void> {
    if (!this.spent()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.since = performance.now();
  }
}
