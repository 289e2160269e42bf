import type { MaintenanceWindow } from '@opsroom/models';
import type { OpsroomApi } from '../data/api.js';
import type { Store } from '../data/state.js';
import { el } from './frame-render.js';
import { formatDateTime, t } from '../i18n/i18n.js';

/** How often the list is fetched again while the focus stays (windows start and end by the clock), ms. */
const REFRESH_MS = 30_000;

/**
 * The maintenance (out-of-service) windows on or covering the focused node, soonest first: where,
 * which indicators, from when until when, why and by whom — in words and the ⚙ shape.
 * `data-testid="maintenance-<id>"` on each.
 */
export class MaintenanceList {
  private readonly list: HTMLUListElement;
  private readonly summary: HTMLElement;
  private readonly unsubscribe: () => void;
  private readonly timer: ReturnType<typeof setInterval>;
  private focus: string | null = null;
  private asked = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly store: Store,
    private readonly api: OpsroomApi,
  ) {
    this.summary = el('p', 'maintenance-summary');
    this.list = el('ul', 'maintenance-windows');
    root.replaceChildren(this.summary, this.list);
    this.unsubscribe = store.subscribe((next) => {
      if (next.focus !== this.focus) void this.load(next.focus);
    });
    this.timer = setInterval(() => void this.load(this.focus), REFRESH_MS);
    void this.load(store.get().focus);
  }

  private async load(focus: string | null): Promise<void> {
    this.focus = focus;
    if (!focus) return this.show([]);
    const ask = ++this.asked;
    try {
      const windows = await this.api.maintenance(focus);
      if (ask === this.asked) this.show(windows);
    } catch (err) {
      if (ask === this.asked) this.summary.textContent = t('maintenance.failed', { message: (err as Error).message });
    }
  }

  private show(windows: MaintenanceWindow[]): void {
    const s = this.store.get();
    const name = (p: string) => s.nodes.get(p)?.name ?? p;
    const time = (ms: number) =>
      formatDateTime(ms, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    const now = Date.now();
    this.summary.textContent =
      windows.length === 0 ? t('maintenance.none') : t('maintenance.count', { count: windows.length });
    this.list.replaceChildren(
      ...windows.map((w) => {
        const li = el('li', `maintenance-window ${w.start <= now ? 'active' : 'upcoming'}`);
        li.dataset.testid = `maintenance-${w.id}`;
        const what = w.indicators ? ` (${w.indicators.join(', ')})` : '';
        li.textContent =
          `⚙ ${w.start <= now ? t('maintenance.active') : t('maintenance.planned')}: ` +
          `${name(w.node)}${what}, ${time(w.start)} – ${time(w.end)}: ${w.reason} (${w.createdBy})`;
        return li;
      }),
    );
  }

  dispose(): void {
    clearInterval(this.timer);
    this.unsubscribe();
    this.root.replaceChildren();
  }
}
