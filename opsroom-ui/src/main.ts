import './styles.css';
import { IndicatorChart } from './charts/indicator-chart.js';
import { IndicesPanel } from './charts/indices-panel.js';
import { ApiError, createApi } from './data/api.js';
import { connectLive, type LiveLink } from './data/live.js';
import { createStore, type SessionUser } from './data/state.js';
import { hashFromPath, pathFromHash } from './nav/hash.js';
import { commandOfKey, navigate } from './nav/keyboard.js';
import { AlertList } from './panels/alert-list.js';
import { MaintenanceList } from './panels/maintenance-list.js';
import { Breadcrumbs } from './panels/breadcrumbs.js';
import { LoginForm } from './panels/login-form.js';
import { NodeTree } from './panels/node-tree.js';
import { NodeValues } from './panels/node-values.js';
import { SessionBar } from './panels/session-bar.js';
import { createFlatRoom } from './scene/flat-room.js';
import { webglAvailable } from './scene/webgl.js';

/** Something the room owns while signed in, released on sign-out. */
interface Disposable {
  dispose(): void;
}

const $ = <T extends HTMLElement>(selector: string): T => {
  const e = document.querySelector<T>(selector);
  if (!e) throw new Error(`index.html lacks ${selector}`);
  return e;
};

const ui = {
  boot: $('.boot-message'),
  login: $('.login'),
  room: $('.room'),
  session: $('.session'),
  breadcrumbs: $('.breadcrumbs'),
  logout: $<HTMLButtonElement>('.logout'),
  scene: $('.scene'),
  nodeList: $('.node-list'),
  values: $('.values-panel'),
  chart: $('.chart-panel'),
  indices: $('.indices'),
  alerts: $('.alert-box'),
  maintenance: $('.maintenance-box'),
};

const store = createStore();
const api = createApi({ onUnauthorized: () => leaveRoom('Your session has ended; sign in again.') });
const login = new LoginForm(ui.login, api, (user) => void enterRoom(user));

let owned: Disposable[] = [];
let live: LiveLink | null = null;
let entering = false;

function focus(path: string): void {
  store.dispatch({ type: 'focus', path });
}

async function enterRoom(user: SessionUser): Promise<void> {
  if (entering) return;
  entering = true;
  try {
    store.dispatch({ type: 'session', user });
    ui.boot.hidden = false;
    ui.boot.textContent = 'Loading the organisation…';
    const [model, latest, alerts] = await Promise.all([api.model(), api.latest(), api.alerts({ state: 'open', shelved: 'include' })]);
    store.dispatch({ type: 'focus', path: pathFromHash(location.hash) });
    store.dispatch({ type: 'model', model });
    store.dispatch({ type: 'indicators', updates: latest });
    store.dispatch({ type: 'alerts:replace', alerts });
    history.replaceState(null, '', hashFromPath(store.get().focus));

    ui.boot.hidden = true;
    login.hide();
    ui.room.hidden = false;
    ui.session.hidden = false;
    ui.breadcrumbs.hidden = false;

    owned = [
      new SessionBar(ui.session, store),
      new Breadcrumbs(ui.breadcrumbs, store, focus),
      new NodeTree(ui.nodeList, store, focus),
      new NodeValues(ui.values, store, focus, (id) => store.dispatch({ type: 'indicator', id })),
      new IndicatorChart(ui.chart, store, api, (id) => store.dispatch({ type: 'indicator', id })),
      new IndicesPanel(ui.indices, store),
      new AlertList(ui.alerts, store, api),
      new MaintenanceList(ui.maintenance, store, api),
      { dispose: store.subscribe((next, prev) => next.focus !== prev.focus && syncHash(next.focus)) },
    ];
    owned.push(await startScene());
    live = connectLive({ store, api, onUnauthorized: () => leaveRoom('Your session has ended; sign in again.') });
  } catch (err) {
    if (err instanceof ApiError && err.unauthorized) leaveRoom('Sign in to continue.');
    else showBootError(err);
  } finally {
    entering = false;
  }
}

/** The 3D room when WebGL works (three.js loaded only then), else the 2D room. */
async function startScene(): Promise<Disposable> {
  let reason = 'WebGL is not available in this browser';
  try {
    if (webglAvailable()) {
      const { createRoomView } = await import('./scene/room-view.js');
      return createRoomView(ui.scene, store, focus);
    }
  } catch (err) {
    reason = `WebGL failed to start: ${(err as Error).message}`;
    ui.scene.replaceChildren();
  }
  return createFlatRoom(ui.scene, store, focus, reason);
}

function leaveRoom(message: string): void {
  live?.close();
  live = null;
  for (const d of owned.reverse()) d.dispose();
  owned = [];
  store.dispatch({ type: 'logout' });
  ui.room.hidden = true;
  ui.session.hidden = true;
  ui.breadcrumbs.hidden = true;
  ui.boot.hidden = true;
  login.show(message);
}

function showBootError(err: unknown): void {
  ui.boot.hidden = false;
  ui.boot.textContent = `The ops room could not load: ${(err as Error).message} Reload the page to try again.`;
}

function syncHash(path: string | null): void {
  const hash = hashFromPath(path);
  if (location.hash !== hash) location.hash = hash; // a history entry: Back returns to the previous node
}

addEventListener('hashchange', () => {
  if (!store.get().model) return;
  const path = pathFromHash(location.hash);
  store.dispatch({ type: 'focus', path });
  if (path !== store.get().focus) history.replaceState(null, '', hashFromPath(store.get().focus)); // out of scope: back to a real node
});

/** Keyboard: arrows move among children, Enter goes in, Backspace / Escape go up. */
addEventListener('keydown', (e) => {
  const s = store.get();
  if (!s.model || !s.focus || ui.room.hidden || e.altKey || e.ctrlKey || e.metaKey) return;
  const target = e.target as HTMLElement | null;
  if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
  const command = commandOfKey(e.key);
  if (!command) return;
  // Enter on a button or link presses it; leave that to the browser.
  if (command === 'enter' && target?.closest('button, a, summary')) return;
  e.preventDefault();
  const next = navigate(s.nodes, s.model.scope, { focus: s.focus, cursor: s.cursor }, command);
  if (next.focus !== s.focus) store.dispatch({ type: 'focus', path: next.focus });
  store.dispatch({ type: 'cursor', path: next.cursor });
});

ui.logout.addEventListener('click', () => {
  void api.logout().catch(() => undefined).finally(() => leaveRoom('Signed out.'));
});

async function boot(): Promise<void> {
  try {
    const user = await api.me();
    await enterRoom(user);
  } catch (err) {
    if (err instanceof ApiError && err.unauthorized) {
      ui.boot.hidden = true;
      login.show();
    } else {
      showBootError(err);
    }
  }
}

void boot();
