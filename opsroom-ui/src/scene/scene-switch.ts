import type { Store } from '../data/state.js';
import type { SceneMode } from '../nav/hash.js';
import { createFlatRoom } from './flat-room.js';
import { t } from '../i18n/i18n.js';
import { webglAvailable } from './webgl.js';

export interface SceneSwitch {
  dispose(): void;
}

interface Disposable {
  dispose(): void;
}

/**
 * The room's drawing and its toolbar: the 3D room (three.js, loaded only when wanted) or the 2D
 * tiles, as the store's `scene` says (the URL's `room=2d`, nav/hash.ts), swapped whenever it
 * changes. The toolbar's "2D room" button toggles it; without WebGL the 2D room stays and the
 * button says why.
 */
export function createSceneSwitch(container: HTMLElement, store: Store, onFocus: (path: string) => void): SceneSwitch {
  const toolbar = document.createElement('div');
  toolbar.className = 'scene-toolbar';
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'scene-toggle';
  toggle.dataset.testid = 'scene-toggle';
  toggle.textContent = t('scene.toggle2d');
  toolbar.appendChild(toggle);
  container.appendChild(toolbar);

  let current: Disposable | null = null;
  let shown: SceneMode | null = null;
  /** Why 3D cannot be drawn, once found out (then the 2D room stays). */
  let no3d: string | null = webglAvailable() ? null : t('scene.noWebgl');
  /** Counts swaps, so that a 3D room still loading when the user switches back is dropped. */
  let generation = 0;

  const onToggle = () => {
    if (no3d) return;
    store.dispatch({ type: 'scene', scene: store.get().scene === '2d' ? '3d' : '2d' });
  };
  toggle.addEventListener('click', onToggle);

  function reflect(mode: SceneMode): void {
    toggle.setAttribute('aria-pressed', String(mode === '2d'));
    toggle.disabled = no3d !== null;
    toggle.title = no3d
      ? t('scene.unavailable', { reason: no3d })
      : mode === '2d'
        ? t('scene.show3d')
        : t('scene.show2d');
    container.dataset.scene = mode;
  }

  function showFlat(reason: string | null): void {
    current = createFlatRoom(container, store, onFocus, reason);
    container.appendChild(toolbar); // stays on top of the tiles
    shown = '2d';
    reflect('2d');
  }

  async function show(mode: SceneMode): Promise<void> {
    const want: SceneMode = no3d ? '2d' : mode;
    if (want === shown) return reflect(want);
    const gen = ++generation;
    current?.dispose();
    current = null;
    shown = null;
    if (want === '2d') return showFlat(no3d);
    try {
      const { createRoomView } = await import('./room-view.js');
      if (gen !== generation) return;
      current = createRoomView(container, store, onFocus);
      shown = '3d';
      reflect('3d');
    } catch (err) {
      if (gen !== generation) return;
      no3d = t('scene.webglFailed', { message: (err as Error).message });
      for (const el of [...container.children]) if (el !== toolbar) el.remove();
      showFlat(no3d);
    }
  }

  void show(store.get().scene);
  const unsubscribe = store.subscribe((next, prev) => {
    if (next.scene !== prev.scene) void show(next.scene);
  });

  return {
    dispose() {
      generation++;
      unsubscribe();
      toggle.removeEventListener('click', onToggle);
      current?.dispose();
      current = null;
      toolbar.remove();
      delete container.dataset.scene;
    },
  };
}
