import './styles.css';
import './panels/admin-screen.css';
import { IndicatorChart } from './charts/indicator-chart.js';
import { IndicesPanel } from './charts/indices-panel.js';
import { createAdminApi } from './data/admin-api.js';
import { ApiError, createApi } from './data/api.js';
import { connectLive, type LiveLink } from './data/live.js';
import { createStore, type SessionUser } from './data/state.js';
import { formatHash, parseHash, type HashState } from './nav/hash.js';
import { commandOfKey, navigate } from './nav/keyboard.js';
import { AdminScreen } from './panels/admin-screen.js';
import { AlertList } from './panels/alert-list.js';
import { MaintenanceList } from './panels/maintenance-list.js';
import { HealthScreen } from './panels/health-screen.js';
import { Breadcrumbs } from './panels/breadcrumbs.js';
import { LoginForm } from './panels/login-form.js';
import { NodeTree } from './panels/node-tree.js';
import { NodeValues } from './panels/node-values.js';
import { SessionBar } from './panels/session-bar.js';
import { createSceneSwitch } from './scene/scene-switch.js';
import { chooseLanguage, initLanguage, isLang, language, LANGUAGES, t, type MessageKey } from './i18n/i18n.js';

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
  health: $('.health-panel'),
  healthToggle: $<HTMLButtonElement>('.health-toggle'),
  admin: $('.admin-panel'),
  adminToggle: $<HTMLButtonElement>('.admin-toggle'),
};

initLanguage();
translatePage();

/** The page's fixed words (index.html) in the active language: `data-i18n` texts, `data-i18n-label` aria-labels. */
function translatePage(): void {
  for (const e of document.querySelectorAll<HTMLElement>('[data-i18n]'))
    e.textContent = t(e.dataset.i18n as MessageKey);
  for (const e of document.querySelectorAll<HTMLElement>('[data-i18n-label]'))
    e.setAttribute('aria-label', t(e.dataset.i18nLabel as MessageKey));
  const select = $<HTMLSelectElement>('.lang-select');
  select.setAttribute('aria-label', t('lang.label'));
  select.replaceChildren(
    ...Object.entries(LANGUAGES).map(([code, { name }]) => Object.assign(new Option(name, code), { lang: code })),
  );
  select.value = language();
}

// A new language is kept and the page loads again in it (the session and the URL stay).
$<HTMLSelectElement>('.lang-select').addEventListener('change', (e) => {
  const lang = (e.target as HTMLSelectElement).value;
  if (!isLang(lang) || lang === language()) return;
  chooseLanguage(lang);
  location.reload();
});

/** How often the values of a focused node that a child server runs (federation) are asked again, ms. */
const REMOTE_REFRESH_MS = 5000;

const store = createStore();
const api = createApi({ onUnauthorized: () => leaveRoom(t('page.sessionEnded')) });
const adminApi = createAdminApi({ onUnauthorized: () => leaveRoom(t('page.sessionEnded')) });
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
    ui.boot.textContent = t('page.loadingOrg');
    const [model, latest, alerts] = await Promise.all([
      api.model(),
      api.latest(),
      api.alerts({ state: 'open', shelved: 'include' }),
    ]);
    const fromUrl = parseHash(location.hash);
    store.dispatch({ type: 'focus', path: fromUrl.path });
    store.dispatch({ type: 'filter', filter: fromUrl.filter });
    store.dispatch({ type: 'view', view: fromUrl.view });
    store.dispatch({ type: 'scene', scene: fromUrl.scene });
    store.dispatch({ type: 'model', model });
    store.dispatch({ type: 'indicators', updates: latest });
    store.dispatch({ type: 'alerts:replace', alerts });
    history.replaceState(null, '', formatHash(hashState()));

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
      new HealthScreen(ui.health, store, api),
      new AdminScreen(ui.admin, ui.adminToggle, user, adminApi, store),
      {
        dispose: store.subscribe((next, prev) => {
          if (next.focus !== prev.focus || next.view !== prev.view || next.scene !== prev.scene) syncHash(true);
          else if (next.filter !== prev.filter) syncHash(false);
          if (next.view !== prev.view) ui.healthToggle.setAttribute('aria-pressed', String(next.view === 'health'));
        }),
      },
    ];
    owned.push(createSceneSwitch(ui.scene, store, focus));
    // A node a council's server runs (federation: `server` in the view) gets no live updates here: its values are
    // asked again every few seconds while it is in focus.
    const remoteRefresh = setInterval(() => {
      const s = store.get();
      const node = s.focus ? s.nodes.get(s.focus) : undefined;
      if (!node?.server) return;
      api.latest(node.path).then(
        (updates) => store.dispatch({ type: 'indicators', updates }),
        () => undefined, // unreachable now: the values stay as they were
      );
    }, REMOTE_REFRESH_MS);
    owned.push({ dispose: () => clearInterval(remoteRefresh) });
    live = connectLive({ store, api, onUnauthorized: () => leaveRoom(t('page.sessionEnded')) });
  } catch (err) {
    if (err instanceof ApiError && err.unauthorized) leaveRoom(t('page.signInToContinue'));
    else showBootError(err);
  } finally {
    entering = false;
  }
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
  ui.boot.textContent = t('page.failed', { message: (err as Error).message });
}

/** What the URL holds: the focus, the screen and the alert filter (nav/hash.ts). */
function hashState(): HashState {
  const s = store.get();
  return { path: s.focus, view: s.view, filter: s.filter, scene: s.scene };
}

/**
 * Writes the state into the URL. A new focus or screen is a history entry (Back returns to the
 * previous node); a filter change replaces the entry (typing a search makes no trail of entries).
 */
function syncHash(entry: boolean): void {
  const hash = formatHash(hashState());
  if (location.hash === hash) return;
  if (entry) location.hash = hash;
  else history.replaceState(null, '', hash);
}

addEventListener('hashchange', () => {
  if (!store.get().model) return;
  const h = parseHash(location.hash);
  store.dispatch({ type: 'focus', path: h.path });
  store.dispatch({ type: 'filter', filter: h.filter });
  store.dispatch({ type: 'view', view: h.view });
  store.dispatch({ type: 'scene', scene: h.scene });
  const hash = formatHash(hashState());
  if (location.hash !== hash) history.replaceState(null, '', hash); // out of scope: back to a real node
});

ui.healthToggle.addEventListener('click', () => {
  store.dispatch({ type: 'view', view: store.get().view === 'health' ? 'room' : 'health' });
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
  // The live connection goes first: the server ends the session's sockets at once, and a socket
  // that hears that before the logout answer would ask /api/me and get a 401.
  live?.close();
  live = null;
  void api
    .logout()
    .catch(() => undefined)
    .finally(() => leaveRoom(t('page.signedOut')));
});

async function boot(): Promise<void> {
  try {
    // GET /api/session answers 200 with user null for nobody: no 401 (a red console line) at load.
    const { user, demoLogins } = await api.session();
    login.setDemoLogins(demoLogins);
    if (user) {
      await enterRoom(user);
      return;
    }
    ui.boot.hidden = true;
    login.show();
  } catch (err) {
    showBootError(err);
  }
}

void boot();
