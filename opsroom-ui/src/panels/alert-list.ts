import { alertFacets, alertMatches, type Alert, type AlertQuery, type AlertWords } from '@opsroom/models';
import type { AlertAction, OpsroomApi } from '../data/api.js';
import { alertsUnder, type RoomState, type Store } from '../data/state.js';
import { countdownLevel, formatCountdown } from './countdown.js';
import { formatValue } from './format.js';
import { el, renderOnFrame } from './frame-render.js';
import { sortByUrgency } from './urgency.js';
import { badges } from './alert-badges.js';
import { AlertFilterBar, type FilterContext } from './alert-filter.js';
import { trailLine, type Names } from './trail-words.js';
import { alertSentence, type AlertTextNames } from '../i18n/alert-text.js';
import { formatTime, t, type MessageKey } from '../i18n/i18n.js';

/** Cards drawn at most; past this the screen says how many more match and asks for a narrower filter. */
export const MAX_CARDS = 150;
/** Resolved alerts fetched from the server when the filter asks for resolved ones. */
const RESOLVED_FETCHED = 200;

const ACTIONS: ReadonlyArray<{ action: AlertAction; label: MessageKey; needsNote: boolean }> = [
  { action: 'ack', label: 'alerts.act.ack', needsNote: false },
  { action: 'resolve', label: 'alerts.act.resolve', needsNote: false },
  { action: 'comment', label: 'alerts.act.comment', needsNote: true },
  { action: 'directive', label: 'alerts.act.directive', needsNote: true },
  { action: 'shelve', label: 'alerts.act.shelve', needsNote: true },
  { action: 'unshelve', label: 'alerts.act.unshelve', needsNote: false },
];

/** How long the Shelve button shelves for; the server refuses more than the level's max_shelve. */
const SHELVE_MINUTES = [15, 60, 240, 480];

/** One alert's card; kept across renders so a note being typed survives live updates. */
interface Card {
  root: HTMLLIElement;
  alert: Alert | null;
  title: HTMLElement;
  state: HTMLElement;
  badges: HTMLElement;
  countdown: HTMLElement;
  shelveFor: HTMLSelectElement;
  assignMe: HTMLButtonElement;
  detail: HTMLElement;
  path: HTMLElement;
  trail: HTMLOListElement;
  note: HTMLInputElement;
  buttons: Map<AlertAction, HTMLButtonElement>;
  message: HTMLElement;
}

/**
 * The algedonic screen: alerts owned at or under the focused node, most urgent first, each with
 * its priority and shelved / maintenance / chattering marks (word and shape, alert-badges.ts), a
 * live countdown to its deadline, the path it travelled up the recursion, its trail, and the
 * actions Acknowledge / Resolve / Comment / Directive / Shelve (with a duration) / Unshelve. Each card has
 * `data-testid="alert-<id>"`.
 */
export class AlertList {
  private readonly cards = new Map<string, Card>();
  private readonly list: HTMLOListElement;
  private readonly summary: HTMLElement;
  private readonly count: HTMLElement;
  private readonly filterBar: AlertFilterBar;
  /** Resolved alerts under the focus fetched from the server (state=resolved), and for which focus. */
  private resolved: { focus: string; alerts: Alert[] } | null = null;
  private fetching: string | null = null;
  private readonly unsubscribe: () => void;
  private readonly tick: ReturnType<typeof setInterval>;

  constructor(
    private readonly root: HTMLElement,
    private readonly store: Store,
    private readonly api: OpsroomApi,
  ) {
    this.summary = el('p', 'alert-summary');
    this.summary.setAttribute('aria-live', 'polite');
    this.list = el('ol', 'alerts');
    this.count = el('p', 'alert-count');
    this.count.dataset.testid = 'alerts-count';
    this.count.setAttribute('aria-live', 'polite');
    this.filterBar = new AlertFilterBar((filter) => this.store.dispatch({ type: 'filter', filter }));
    root.replaceChildren(this.filterBar.root, this.summary, this.count, this.list);
    this.unsubscribe = renderOnFrame(store, (s, prev) => {
      const changed = prev && (prev.alerts !== s.alerts || prev.focus !== s.focus || prev.model !== s.model);
      if (!prev || changed || prev.filter !== s.filter) {
        this.render(s);
      }
    });
    this.tick = setInterval(() => this.updateCountdowns(), 1000);
  }

  private render(s: RoomState): void {
    const under = s.focus ? alertsUnder(s, s.focus) : [];
    const open = under.filter((a) => a.state !== 'resolved' && !a.shelved).length;
    const shelved = under.filter((a) => a.state !== 'resolved' && a.shelved).length;
    const where = s.focus ? (s.nodes.get(s.focus)?.name ?? s.focus) : '';
    const andShelved = shelved ? t('alerts.moreShelved', { count: shelved }) : '';
    this.summary.textContent =
      (open === 0 ? t('alerts.none', { where }) : t('alerts.open', { count: open, where })) + `${andShelved}.`;

    // The filter (issue 15 point 6) narrows what the room holds under the focus, plus resolved
    // alerts fetched from the server when it asks for those; shelved or not unless it says.
    const candidates = this.withResolved(s, under);
    const query: AlertQuery = { ...s.filter, shelved: s.filter.shelved ?? 'include' };
    const words = wordsOf(s);
    const { total, facets } = alertFacets(candidates, query, words);
    const matching = candidates.filter((a) => alertMatches(a, query, words));
    const alerts = sortByUrgency(matching).slice(0, MAX_CARDS);
    const filtered = Object.keys(s.filter).length > 0;
    this.count.textContent =
      t('alerts.showing', { total, count: candidates.length }) +
      (filtered ? t('alerts.filtered') : '') +
      (total > alerts.length ? t('alerts.firstListed', { n: alerts.length }) : '') +
      '.';
    this.count.dataset.total = String(total);
    this.filterBar.update(s.filter, facets, filterContext(s));

    const seen = new Set<string>();
    let before: Element | null = this.list.firstElementChild;
    for (const alert of alerts) {
      seen.add(alert.id);
      let card = this.cards.get(alert.id);
      if (!card) {
        card = this.createCard(alert.id);
        this.cards.set(alert.id, card);
      }
      if (card.alert !== alert) this.fill(card, alert, s);
      // Move only what is out of place: moving a card that holds the focused input would blur it.
      if (card.root !== before) this.list.insertBefore(card.root, before);
      before = card.root.nextElementSibling;
    }
    for (const [id, card] of this.cards) {
      if (!seen.has(id)) {
        card.root.remove();
        this.cards.delete(id);
      }
    }
    this.updateCountdowns();
  }

  private createCard(id: string): Card {
    const root = el('li', 'alert-card');
    root.dataset.testid = `alert-${id}`;
    root.dataset.id = id;
    const head = el('div', 'alert-head');
    const state = el('span', 'alert-state');
    const title = el('span', 'alert-title');
    const countdown = el('span', 'countdown');
    countdown.setAttribute('role', 'timer');
    const badgeBox = el('span', 'alert-badges');
    head.append(state, badgeBox, title, countdown);
    const detail = el('p', 'alert-detail');
    const path = el('p', 'alert-path');
    const trailBox = el('details', 'alert-trail');
    trailBox.appendChild(el('summary', undefined, t('alerts.trail')));
    const trail = el('ol');
    trailBox.appendChild(trail);
    const form = el('form', 'alert-actions');
    const note = el('input', 'alert-note');
    note.type = 'text';
    note.placeholder = t('alerts.notePlaceholder');
    note.setAttribute('aria-label', t('alerts.note'));
    note.maxLength = 2000;
    form.appendChild(note);
    const buttons = new Map<AlertAction, HTMLButtonElement>();
    const shelveFor = el('select', 'shelve-for');
    shelveFor.setAttribute('aria-label', t('alerts.shelveFor'));
    for (const m of SHELVE_MINUTES) {
      const o = el('option', undefined, m < 60 ? t('format.minutes', { n: m }) : t('format.hours', { n: m / 60 }));
      o.value = String(m);
      shelveFor.appendChild(o);
    }
    shelveFor.value = '60';
    for (const { action, label } of ACTIONS) {
      const b = el('button', `act act-${action}`, t(label));
      b.type = 'button';
      b.dataset.action = action;
      buttons.set(action, b);
      if (action === 'shelve') form.appendChild(shelveFor);
      form.appendChild(b);
    }
    const assignMe = el('button', 'act act-assign', t('alerts.assignMe'));
    assignMe.type = 'button';
    form.appendChild(assignMe);
    const message = el('p', 'alert-message');
    message.setAttribute('aria-live', 'polite');
    root.append(head, detail, path, trailBox, form, message);
    const card: Card = {
      root,
      alert: null,
      title,
      state,
      badges: badgeBox,
      countdown,
      shelveFor,
      assignMe,
      detail,
      path,
      trail,
      note,
      buttons,
      message,
    };
    assignMe.addEventListener('click', () => void this.assignToMe(card));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      // Enter in the note field comments; it never acknowledges by accident.
      if (card.note.value.trim()) void this.act(card, 'comment');
    });
    form.addEventListener('click', (e) => {
      const action = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]')?.dataset.action as
        AlertAction | undefined;
      if (action) void this.act(card, action);
    });
    return card;
  }

  private fill(card: Card, alert: Alert, s: RoomState): void {
    card.alert = alert;
    const name = (p: string) => s.nodes.get(p)?.name ?? p;
    const indicator = s.model?.indicators.find((i) => i.id === alert.indicator);
    const marks = `${alert.shelved ? ' shelved' : ''}${alert.maintenance ? ' maintenance' : ''}`;
    card.root.className = `alert-card state-${alert.state} priority-${alert.priority ?? 'medium'}${marks}`;
    card.state.textContent = t(`alertState.${alert.state}`);
    card.badges.replaceChildren(
      ...badges(alert, hhmm, namesOf(s).person).map((b) => {
        const e = el('span', `badge badge-${b.kind}`, `${b.shape} ${b.text}`);
        e.title = b.title;
        return e;
      }),
    );
    const what = `${indicator?.name ?? alert.indicator}${alert.series ? ` ${t(`series.${alert.series}`)}` : ''}`;
    card.title.textContent = t('alerts.title', { what, node: name(alert.node) });
    const band = alert.forecast
      ? t('alerts.band', { lower: formatValue(alert.forecast.lower), upper: formatValue(alert.forecast.upper) })
      : '';
    const value = `${formatValue(alert.value)}${indicator?.unit && !alert.series ? ' ' + indicator.unit : ''}`;
    const pct = Math.round(alert.probability * 100);
    card.detail.textContent =
      (alertSentence(alert, textNamesOf(s)) ??
        t('alerts.fallback', { kind: t(`kind.${alert.kind}`), pct, value, band })) +
      (alert.groups?.length ? t('alerts.groups', { count: alert.groups.length }) : '') +
      (alert.groupedBy
        ? t('alerts.partOfGroup', {
            node: name(s.alerts.get(alert.groupedBy)?.node ?? alert.node.split('/').slice(0, -1).join('/')),
          })
        : '');
    card.path.textContent = t('alerts.path', { owner: name(alert.owner), path: alert.path.map(name).join(' → ') });
    const names = namesOf(s);
    const time = (ms: number) => formatTime(ms);
    card.trail.replaceChildren(...alert.trail.map((t) => el('li', undefined, trailLine(t, names, time))));
    const resolved = alert.state === 'resolved';
    card.note.disabled = resolved;
    for (const [action, b] of card.buttons) {
      b.disabled = resolved || (action === 'ack' && alert.state === 'acknowledged');
      if (action === 'shelve') b.hidden = alert.shelved !== undefined;
      if (action === 'unshelve') b.hidden = alert.shelved === undefined;
    }
    card.shelveFor.hidden = alert.shelved !== undefined;
    const me = s.user?.name;
    card.assignMe.hidden = !me || alert.assignee === me;
    card.assignMe.disabled = resolved;
    card.shelveFor.disabled = resolved;
  }

  private async act(card: Card, action: AlertAction): Promise<void> {
    const alert = card.alert;
    if (!alert) return;
    const note = card.note.value;
    const spec = ACTIONS.find((a) => a.action === action);
    if (spec?.needsNote && !note.trim()) {
      card.message.textContent = t('alerts.needsNote', { action: spec ? t(spec.label).toLowerCase() : action });
      card.note.focus();
      return;
    }
    card.message.textContent = '';
    for (const b of card.buttons.values()) b.disabled = true;
    try {
      const updated = await this.api.act(
        alert.id,
        action,
        note,
        action === 'shelve' ? Number(card.shelveFor.value) : undefined,
      );
      card.note.value = '';
      card.message.textContent =
        action === 'directive'
          ? t('alerts.directiveSent')
          : t('alerts.recorded', { action: spec ? t(spec.label) : action });
      this.store.dispatch({ type: 'alert', alert: updated });
    } catch (err) {
      card.message.textContent = (err as Error).message;
    } finally {
      // Re-enable by the alert as the store now holds it.
      const current = this.store.get().alerts.get(alert.id);
      if (current) this.fill(card, current, this.store.get());
    }
  }

  /** Sets the signed-in user as the one working on it (the server checks their scope covers the owner). */
  private async assignToMe(card: Card): Promise<void> {
    const me = this.store.get().user?.name;
    if (!card.alert || !me) return;
    card.message.textContent = '';
    try {
      this.store.dispatch({ type: 'alert', alert: await this.api.assign(card.alert.id, me) });
      card.message.textContent = t('alerts.assigned');
    } catch (err) {
      card.message.textContent = (err as Error).message;
    }
  }

  private updateCountdowns(): void {
    const now = Date.now();
    const s = this.store.get();
    for (const card of this.cards.values()) {
      const a = card.alert;
      if (!a) continue;
      const windowMs = (s.nodes.get(a.owner)?.correctionWindowSec ?? 300) * 1000;
      const text = a.state === 'resolved' ? t('alertState.resolved') : formatCountdown(a.deadline, now);
      if (card.countdown.textContent !== text) card.countdown.textContent = text;
      card.countdown.dataset.level = a.state === 'resolved' ? 'none' : countdownLevel(a.deadline, now, windowMs);
      card.countdown.title = a.deadline ? t('alerts.deadline', { time: formatTime(a.deadline) }) : '';
    }
  }

  /**
   * The alerts under the focus, with the resolved ones fetched from the server when the filter
   * asks for resolved alerts (the room itself keeps only the last few resolved).
   */
  private withResolved(s: RoomState, under: Alert[]): Alert[] {
    if (s.filter.state !== 'resolved' || !s.focus) return under;
    if (this.resolved?.focus !== s.focus) {
      void this.fetchResolved(s.focus);
      return under;
    }
    const byId = new Map(this.resolved.alerts.map((a) => [a.id, a]));
    for (const a of under) byId.set(a.id, a); // the room's copy is the live one
    return [...byId.values()];
  }

  private async fetchResolved(focus: string): Promise<void> {
    if (this.fetching === focus) return;
    this.fetching = focus;
    try {
      const query = { state: 'resolved', node: focus, order: 'newest', limit: RESOLVED_FETCHED } as const;
      const alerts = await this.api.alerts(query);
      this.resolved = { focus, alerts };
      this.render(this.store.get());
    } catch (err) {
      this.count.textContent = t('alerts.resolvedFailed', { message: (err as Error).message });
    } finally {
      this.fetching = null;
    }
  }

  dispose(): void {
    this.filterBar.dispose();
    clearInterval(this.tick);
    this.unsubscribe();
    this.root.replaceChildren();
    this.cards.clear();
  }
}

const hhmm = (ms: number) => formatTime(ms, { hour: '2-digit', minute: '2-digit' });

/** How the room names nodes, people and alerts (trail-words.ts). */
export function namesOf(s: RoomState): Names {
  const people = new Map((s.model?.people ?? []).map((p) => [p.name, p.displayName ?? p.name]));
  return {
    node: (p) => s.nodes.get(p)?.name ?? p,
    person: (n) => people.get(n) ?? n,
    alert: (id) => {
      const a = s.alerts.get(id);
      if (!a) return undefined;
      const indicator = s.model?.indicators.find((i) => i.id === a.indicator)?.name ?? a.indicator;
      return t('alerts.alertAt', {
        what: a.kind === 'group' ? t('alerts.groupAlert') : indicator,
        node: s.nodes.get(a.node)?.name ?? a.node,
      });
    },
    indicator: (id) => s.model?.indicators.find((i) => i.id === id)?.name,
  };
}

/** How the alert sentence names nodes, indicators and other alerts (i18n/alert-text.ts). */
function textNamesOf(s: RoomState): AlertTextNames {
  return {
    node: (p) => s.nodes.get(p)?.name ?? p,
    indicator: (id) => {
      const i = s.model?.indicators.find((x) => x.id === id);
      return i ? { name: i.name, ...(i.unit ? { unit: i.unit } : {}) } : undefined;
    },
    alertIndicator: (id) => s.alerts.get(id)?.indicator,
  };
}

/** Names for free-text search: the same words the screen shows. */
function wordsOf(s: RoomState): AlertWords {
  const people = new Map((s.model?.people ?? []).map((p) => [p.name, p.displayName]));
  return {
    node: (p) => s.nodes.get(p)?.name,
    indicator: (id) => s.model?.indicators.find((i) => i.id === id)?.name,
    user: (n) => people.get(n),
  };
}

function filterContext(s: RoomState): FilterContext {
  const me = s.user ? { me: s.user.name } : {};
  return { indicators: s.model?.indicators ?? [], people: s.model?.people ?? [], ...me };
}
