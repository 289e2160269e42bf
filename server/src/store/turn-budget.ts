// Long reads in slices (issue 18 point 3): a read gives the event loop a turn once it has held it
// for a few milliseconds, so no history request blocks the loop for more than about 10 ms, however
// many run at once.
import { performance } from 'node:perf_hooks';

/** How long a read may hold the event loop before it yields, ms. */
export const TURN_BUDGET_MS = 2;

/** Readers waiting for their turn, oldest first; one is let through per event-loop iteration. */
const waiters: Array<() => void> = [];
let pumping = false;

function wakeOne(): void {
  const next = waiters.shift();
  if (next === undefined) {
    pumping = false;
    return;
  }
  // Queued from inside the check phase, this runs in the next iteration: timers and I/O run between
  // two readers' turns, and N waiting readers do not all run in one check phase.
  setImmediate(wakeOne);
  next(); // the reader's next slice runs in this callback's microtasks
}

/**
 * Waits for a turn shared by every sliced read in the process: one reader proceeds per event-loop
 * iteration, after the loop has run its timers and I/O.
 *
 * Example: two reads that each call `await readTurn()` between 2 ms slices alternate, one slice
 * per loop iteration, rather than holding the loop 4 ms per iteration.
 */
export function readTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiters.push(resolve);
    if (!pumping) {
      pumping = true;
      setImmediate(wakeOne);
    }
  });
}

/**
 * Counts the time since this read last had a turn; `maybeYield()` waits for the next shared turn
 * (readTurn) once `budgetMs` has passed and resolves at once before that.
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
    await readTurn();
    this.since = performance.now();
  }
}
