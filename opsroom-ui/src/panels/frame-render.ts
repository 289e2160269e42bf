import type { RoomState, Store } from '../data/state.js';

/**
 * Calls `render(next, prev)` at most once per animation frame after the store changed, with
 * `prev` the state of the previous render (null the first time, which happens at once). A burst
 * of live batches costs one render. Returns the unsubscribe function.
 */
export function renderOnFrame(store: Store, render: (next: RoomState, prev: RoomState | null) => void): () => void {
  let rendered: RoomState | null = null;
  let pending = 0;
  const run = () => {
    pending = 0;
    const next = store.get();
    if (next === rendered) return;
    const prev = rendered;
    rendered = next;
    render(next, prev);
  };
  run();
  const unsubscribe = store.subscribe(() => {
    if (!pending) pending = requestAnimationFrame(run);
  });
  return () => {
    unsubscribe();
    if (pending) cancelAnimationFrame(pending);
  };
}

/** `document.createElement` with a class and text in one line. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
