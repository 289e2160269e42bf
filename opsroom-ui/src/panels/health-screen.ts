import type { AlarmHealthView, OpsroomApi } from '../data/api.js';
import type { RoomState, Store } from '../data/state.js';
import { AlertsPerHourChart } from '../charts/alerts-per-hour.js';
import { el, renderOnFrame } from './frame-render.js';
import { namesOf } from './alert-list.js';

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
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return `${h} h${m ? ` ${m} min` : ''}`;
}

/** The figures of the screen in words, each with its ISA-18.2 target where it has one. */
export function healthFigures(h: AlarmHealthView): Array<{ key: string; label: string; value: string; over: boolean }> {
  const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 && x > 0 ? 1 : 0)} %`;
  return [
    {
      key: 'rate',
      label: 'alerts per hour (target ≤ 6)',
      value: h.alertsPerHour.toFixed(1),
      over: h.alertsPerHour > 6,
    },
    { key: 'raises', label: `alerts raised in ${h.hours} h`, value: String(h.raises), over: false },
    {
      key: 'floods',
      label: '10-min intervals in flood (> 10 alerts; target < 1 %)',
      value: `${pct(h.floods.share)} (${h.floods.flooded} of ${h.floods.intervals}; peak ${h.floods.peak})`,
      over: h.floods.share >= 0.01,
    },
    {
      key: 'standing',
      label: 'standing alerts, open over 24 h (target < 5)',
      value: String(h.standing),
      over: h.standing >= 5,
    },
    { key: 'chattering', label: 'chattering alerts', value: String(h.chattering), over: h.chattering > 0 },
    { key: 'shelved', label: 'shelved now', value: String(h.shelved), over: false },
    { key: 'open', label: 'open now', value: String(h.open), over: false },
    { key: 'ack', label: 'median time to acknowledge', value: duration(h.medianAckMs), over: false },
    { key: 'resolve', label: 'median time to resolve', value: duration(h.medianResolveMs), over: false },
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
    this.heading = el('h2', 'health-title', 'Alarm health');
    const close = el('button', 'health-close', 'Back to the room');
    close.type = 'button';
    close.addEventListener('click', () => this.store.dispatch({ type: 'view', view: 'room' }));
    this.status = el('p', 'health-status');
    this.status.setAttribute('aria-live', 'polite');
    this.figures = el('dl', 'health-figures');
    this.figures.dataset.testid = 'health-figures';
    this.chart = new AlertsPerHourChart();
    const chartBox = el('figure', 'health-chart-box');
    chartBox.append(this.chart.root, el('figcaption', undefined, 'Alerts raised per hour, last 24 h'));
    this.top = el('ol', 'health-top');
    this.top.dataset.testid = 'health-top';
    const table = el('table', 'health-children');
    const head = el('thead');
    const tr = el('tr');
    const columns = ['node', 'alerts/h', 'raised', 'flood intervals', 'standing', 'open', 'shelved', 'chattering'];
    for (const h of columns) tr.appendChild(el('th', undefined, h));
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
      el('h3', undefined, 'Ten most frequent alerts'),
      this.top,
      el('h3', undefined, 'By child'),
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
    this.status.textContent = 'Loading…';
    try {
      const h = await this.api.alarmHealth(focus, HOURS);
      if (token !== this.loadToken) return;
      this.show(h, this.store.get());
      this.status.textContent = `Last ${h.hours} h to ${new Date(h.to).toLocaleTimeString()}; refreshed every 30 s.`;
    } catch (err) {
      if (token !== this.loadToken) return;
      this.status.textContent = `The alarm health could not be loaded: ${(err as Error).message}`;
    }
  }

  private show(h: AlarmHealthView, s: RoomState): void {
    const names = namesOf(s);
    const indicator = (id: string) => s.model?.indicators.find((i) => i.id === id)?.name ?? id;
    this.heading.textContent = `Alarm health of ${names.node(h.node)}`;
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
        ? [el('li', 'empty', 'No alerts in the window.')]
        : h.top.map((t) => {
            const li = el('li');
            const words = `${indicator(t.indicator)} at ${names.node(t.node)} — ${t.count}×`;
            const b = el('button', 'health-top-item', words);
            b.type = 'button';
            b.title = 'Show these alerts on the alert screen';
            b.addEventListener('click', () => {
              this.store.dispatch({ type: 'focus', path: t.node });
              const filter = t.indicator === '*' ? { kind: 'group' } : { indicator: t.indicator };
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
        const cells = [names.node(c.node), c.alertsPerHour.toFixed(1), c.raises, c.flooded];
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
