import type { AlarmHealthView, OpsroomApi } from '../data/api.js';
import type { RoomState, Store } from '../data/state.js';
import { AlertsPerHourChart } from '../charts/alerts-per-hour.js';
import { el, renderOnFrame } from './frame-render.js';
import { namesOf } from './alert-list.js';
import { formatNumber, formatTime, t } from '../i18n/i18n.js';

/** How often the open screen asks the server again, ms. */
const REFRESH_MS = 30_000;
const HOURS = 24;

/**
 * A duration in a few words.
 * @example duration(95_000) // '1 min 35 s'
 * @example duration(null)   // '—'
 */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`; // the same in en and es
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return `${h} h${m ? ` ${m} min` : ''}`;
}

const fixed1 = (x: number) =>
  formatNumber(x, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });

/** The figures of the screen in words, each with its ISA-18.2 target where it has one. */
export function healthFigures(h: AlarmHealthView): Array<{ key: string; label: string; value: string; over: boolean }> {
  const fixed = (x: number, digits: number) =>
    formatNumber(x, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
  const pct = (x: number) => `${fixed(x * 100, x < 0.1 && x > 0 ? 1 : 0)} %`;
  return [
    {
      key: 'rate',
      label: t('health.fig.rate'),
      value: fixed(h.alertsPerHour, 1),
      over: h.alertsPerHour > 6,
    },
    { key: 'raises', label: t('health.fig.raises', { hours: h.hours }), value: String(h.raises), over: false },
    {
      key: 'floods',
      label: t('health.fig.floods'),
      value: t('health.fig.floodsValue', {
        pct: pct(h.floods.share),
        flooded: h.floods.flooded,
        intervals: h.floods.intervals,
        peak: h.floods.peak,
      }),
      over: h.floods.share >= 0.01,
    },
    {
      key: 'standing',
      label: t('health.fig.standing'),
      value: String(h.standing),
      over: h.standing >= 5,
    },
    { key: 'chattering', label: t('health.fig.chattering'), value: String(h.chattering), over: h.chattering > 0 },
    { key: 'shelved', label: t('health.fig.shelved'), value: String(h.shelved), over: false },
    { key: 'open', label: t('health.fig.open'), value: String(h.open), over: false },
    { key: 'ack', label: t('health.fig.ack'), value: duration(h.medianAckMs), over: false },
    { key: 'resolve', label: t('health.fig.resolve'), value: duration(h.medianResolveMs), over: false },
  ];
}

/**
 * The alarm system's own health (issue 15 point 7; `#…?view=health`): for the focused node's
 * subtree over the last 24 h, ISA-18.2's figures as numbers (a ⚠ where one misses its target), a d3
 * bar chart of alerts per hour, the ten most frequent alerts (a click shows them on the alert
 * screen) and each child's load. Asks the server again every 30 s while shown.
 */
export class HealthScreen {
  private readonly unsubscribe: () => void;
  private readonly heading: HTMLElement;
  private readonly status: HTMLElement;
  private readonly figures: HTMLElement;
  private readonly chart: AlertsPerHourChart;
  private readonly top: HTMLOListElement;
  private readonly children: HTMLTableSectionElement;
  private timer: ReturnType<typeof setInterval> | undefined;
  private loadToken = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly store: Store,
    private readonly api: OpsroomApi,
  ) {
    this.heading = el('h2', 'health-title', t('health.title'));
    const close = el('button', 'health-close', t('health.back'));
    close.type = 'button';
    close.addEventListener('click', () => this.store.dispatch({ type: 'view', view: 'room' }));
    this.status = el('p', 'health-status');
    this.status.setAttribute('aria-live', 'polite');
    this.figures = el('dl', 'health-figures');
    this.figures.dataset.testid = 'health-figures';
    this.chart = new AlertsPerHourChart();
    const chartBox = el('figure', 'health-chart-box');
    chartBox.append(this.chart.root, el('figcaption', undefined, t('health.chartCaption')));
    this.top = el('ol', 'health-top');
    this.top.dataset.testid = 'health-top';
    const table = el('table', 'health-children');
    const head = el('thead');
    const tr = el('tr');
    const columns = ['node', 'rate', 'raised', 'floods', 'standing', 'open', 'shelved', 'chattering'] as const;
    for (const h of columns) tr.appendChild(el('th', undefined, t(`health.col.${h}`)));
    head.appendChild(tr);
    this.children = el('tbody');
    table.append(head, this.children);
    const headRow = el('div', 'health-head');
    headRow.append(this.heading, close);
    root.replaceChildren(
      headRow,
      this.status,
      this.figures,
      chartBox,
      el('h3', undefined, t('health.top')),
      this.top,
      el('h3', undefined, t('health.byChild')),
      table,
    );
    this.unsubscribe = renderOnFrame(store, (s, prev) => {
      if (!prev || prev.view !== s.view || prev.focus !== s.focus) this.apply(s);
    });
  }

  private apply(s: RoomState): void {
    const shown = s.view === 'health' && s.focus !== null;
    document.body.classList.toggle('view-health', shown);
    this.root.hidden = !shown;
    clearInterval(this.timer);
    this.timer = undefined;
    if (!shown) return;
    void this.load();
    this.timer = setInterval(() => void this.load(), REFRESH_MS);
  }

  private async load(): Promise<void> {
    const s = this.store.get();
    if (!s.focus) return;
    const token = ++this.loadToken;
    const focus = s.focus;
    this.status.textContent = t('health.loading');
    try {
      const h = await this.api.alarmHealth(focus, HOURS);
      if (token !== this.loadToken) return;
      this.show(h, this.store.get());
      this.status.textContent = t('health.status', { hours: h.hours, time: formatTime(h.to) });
    } catch (err) {
      if (token !== this.loadToken) return;
      this.status.textContent = t('health.failed', { message: (err as Error).message });
    }
  }

  private show(h: AlarmHealthView, s: RoomState): void {
    const names = namesOf(s);
    const indicator = (id: string) => s.model?.indicators.find((i) => i.id === id)?.name ?? id;
    this.heading.textContent = t('health.titleOf', { node: names.node(h.node) });
    this.figures.replaceChildren(
      ...healthFigures(h).flatMap((f) => {
        const dd = el('dd', f.over ? 'over' : undefined, f.over ? `⚠ ${f.value}` : f.value);
        dd.dataset.key = f.key;
        return [el('dt', undefined, f.label), dd];
      }),
    );
    this.chart.render(h.hourly, Math.min(720, this.root.clientWidth - 24 || 520));
    this.top.replaceChildren(
      ...(h.top.length === 0
        ? [el('li', 'empty', t('health.noAlerts'))]
        : h.top.map((top) => {
            const li = el('li');
            const words = t('health.topItem', {
              what: indicator(top.indicator),
              node: names.node(top.node),
              count: top.count,
            });
            const b = el('button', 'health-top-item', words);
            b.type = 'button';
            b.title = t('health.topTitle');
            b.addEventListener('click', () => {
              this.store.dispatch({ type: 'focus', path: top.node });
              const filter = top.indicator === '*' ? { kind: 'group' } : { indicator: top.indicator };
              this.store.dispatch({ type: 'filter', filter });
              this.store.dispatch({ type: 'view', view: 'room' });
            });
            li.appendChild(b);
            return li;
          })),
    );
    this.children.replaceChildren(
      ...h.children.map((c) => {
        const tr = el('tr');
        const cells = [names.node(c.node), fixed1(c.alertsPerHour), c.raises, c.flooded];
        cells.push(c.standing, c.open, c.shelved, c.chattering);
        for (const v of cells) tr.appendChild(el('td', undefined, String(v)));
        return tr;
      }),
    );
  }

  dispose(): void {
    clearInterval(this.timer);
    this.unsubscribe();
    this.chart.dispose();
    document.body.classList.remove('view-health');
    this.root.replaceChildren();
    this.root.hidden = true;
  }
}
