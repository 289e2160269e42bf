/**
 * Counts the event-loop turns (setImmediate callbacks) that run until stop(): how a test proves
 * that long work yields between its steps.
 * @example const turns = countTurns(); await store.deleteBefore(t); expect(turns.stop()).toBeGreaterThan(3);
 */
export function countTurns(): { stop(): number } {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop() {
      running = false;
      return turns;
    },
  };
}
