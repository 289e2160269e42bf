import { describe, expect, it } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { readTurn, TurnBudget } from './turn-budget.js';

const busy = (ms: number): void => {
  const t = performance.now();
  while (performance.now() - t < ms);
};

describe('readTurn', () => {
  it('lets one waiting reader through per event-loop iteration: timers run between any two readers’ slices', async () => {
    const order: string[] = [];
    let timer: NodeJS.Timeout;
    const tick = (): void => {
      order.push('timer');
      timer = setTimeout(tick, 1);
    };
    timer = setTimeout(tick, 1);
    const reader = async (name: string): Promise<void> => {
      for (let i = 0; i < 2; i++) {
        await readTurn();
        order.push(name);
        busy(5); // a 5 ms slice: the 1 ms timer is due by the next iteration
      }
    };
    await Promise.all([reader('a'), reader('b'), reader('c')]);
    clearTimeout(timer!);
    for (let i = 1; i < order.length; i++) expect(order[i] === 'timer' || order[i - 1] === 'timer').toBe(true);
    expect(order.filter((x) => x !== 'timer')).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });
});

describe('TurnBudget', () => {
  it('resolves at once while under budget and waits for a turn once it is spent', async () => {
    const b = new TurnBudget(1_000);
    expect(b.spent()).toBe(false);
    await b.maybeYield();
    const spent = new TurnBudget(0);
    expect(spent.spent()).toBe(true);
    let done = false;
    const p = spent.maybeYield().then(() => (done = true));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(done).toBe(false); // not within microtasks: it waits for the event loop
    await p;
    expect(done).toBe(true);
  });
});
