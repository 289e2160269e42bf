import { area, axisBottom, axisLeft, extent, line, scaleLinear, scaleTime, select, type Selection } from 'd3';
import type { HistoryPoint, OpsroomApi } from '../data/api.js';
import { valueKey, type RoomState, type Store } from '../data/state.js';
import { formatValue } from '../panels/format.js';
import { el, renderOnFrame } from '../panels/frame-render.js';

/** How far back the chart looks, ms. */
export const CHART_SPAN_MS = 60 * 60_000;
/** Aggregation window asked of /api/history, ms (360 points for the hour). */
const HISTORY_WINDOW_MS = 10_000;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 16, bottom: 26, left: 52 };

interface BandPoint {
  ts: number;
  lower: number;
  upper: number;
  mean: number;
}

/**
 * A line chart of the focused node's selected indicator: the last hour from /api/history, then
 * live points appended from `indicator:batch`. When the detector sends a forecast band, the band
 * is drawn behind the line (and the band for the next value at the right edge). Anomaly marks: a
 * dashed line and a ▲ at the time each alert on this node and indicator was raised (◆ once it
 * escalated), with the kind in its tooltip.
 */
export class IndicatorChart {
  private readonly unsubscribe: () => void;
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly title: HTMLElement;
  private readonly status: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly resizeObserver: ResizeObserver;
  private points: HistoryPoint[] = [];
  private bands: BandPoint[] = [];
  private series: { node: string; indicator: string } | null = null;
  private loadToken = 0;
  private width = 600;

  constructor(
    private readonly root: HTMLElement,
    private readonly store: Store,
    private readonly api: OpsroomApi,
    private readonly onIndicator: (id: string) => void,
  ) {
    const head = el('div', 'chart-head');
    this.title = el('h3', 'chart-title');
    this.select = el('select', 'chart-select');
    this.select.setAttribute('aria-label', 'Indicator to chart');
    this.select.addEventListener('change', this.onSelect);
    head.append(this.title, this.select);
    this.status = el('p', 'chart-status');
    const box = el('div', 'chart-box');
    root.replaceChildren(head, box, this.status);
    this.svg = select(box).append('svg').attr('class', 'chart').attr('height', HEIGHT).attr('role', 'img');
    const plot = this.svg
      .append('g')
      .attr('class', 'plot')
      .attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
    plot.append('path').attr('class', 'band');
    plot.append('rect').attr('class', 'band-next');
    plot.append('path').attr('class', 'line');
    plot.append('circle').attr('class', 'last').attr('r', 3.5);
    plot.append('g').attr('class', 'anomalies');
    plot.append('g').attr('class', 'axis x');
    plot.append('g').attr('class', 'axis y');

    this.resizeObserver = new ResizeObserver(() => {
      const w = Math.max(240, Math.floor(box.clientWidth));
      if (w !== this.width) {
        this.width = w;
        this.draw();
      }
    });
    this.resizeObserver.observe(box);
    this.unsubscribe = renderOnFrame(store, (s, prev) => this.render(s, prev));
  }

  private render(s: RoomState, prev: RoomState | null): void {
    if (!prev || prev.model !== s.model) {
      this.select.replaceChildren(...(s.model?.indicators ?? []).map((i) => new Option(i.name, i.id)));
    }
    if (s.indicator && this.select.value !== s.indicator) this.select.value = s.indicator;
    const node = s.focus;
    const indicator = s.indicator;
    if (!node || !indicator) return;
    if (!this.series || this.series.node !== node || this.series.indicator !== indicator) {
      this.series = { node, indicator };
      const def = s.model?.indicators.find((i) => i.id === indicator);
      const name = s.nodes.get(node)?.name ?? node;
      this.title.textContent = `${def?.name ?? indicator}${def?.unit ? ` (${def.unit})` : ''} · ${name}`;
      this.svg.attr('aria-label', `History of ${def?.name ?? indicator} at ${name}`);
      void this.load(node, indicator);
      return;
    }
    if (prev && prev.latest !== s.latest) this.appendLive(s);
    else if (prev && prev.alerts !== s.alerts) this.draw(); // anomaly marks follow the alerts
  }

  private async load(node: string, indicator: string): Promise<void> {
    const token = ++this.loadToken;
    this.points = [];
    this.bands = [];
    this.status.textContent = 'Loading history…';
    this.draw();
    const now = Date.now();
    try {
      const res = await this.api.history({
        node,
        indicator,
        from: now - CHART_SPAN_MS,
        windowMs: HISTORY_WINDOW_MS,
        aggregate: 'mean',
      });
      if (token !== this.loadToken) return;
      // Keep live points that arrived while the history was on its way.
      const live = this.points;
      this.points = res.points.filter((p) => Number.isFinite(p.value)).sort((a, b) => a.ts - b.ts);
      const lastTs = this.points.at(-1)?.ts ?? -Infinity;
      for (const p of live) if (p.ts > lastTs) this.points.push(p);
      this.status.textContent = '';
    } catch (err) {
      if (token !== this.loadToken) return;
      this.status.textContent = `History unavailable: ${(err as Error).message}`;
    }
    this.appendLive(this.store.get());
    this.draw();
  }

  private appendLive(s: RoomState): void {
    if (!this.series) return;
    const u = s.latest.get(valueKey(this.series.node, this.series.indicator));
    if (!u) return;
    const last = this.points.at(-1);
    if (u.value !== null && (!last || u.ts > last.ts)) this.points.push({ ts: u.ts, value: u.value });
    const lastBand = this.bands.at(-1);
    if (u.forecast && (!lastBand || u.ts > lastBand.ts)) this.bands.push({ ts: u.ts, ...u.forecast });
    const cutoff = Date.now() - CHART_SPAN_MS;
    while (this.points.length > 0 && (this.points[0] as HistoryPoint).ts < cutoff) this.points.shift();
    while (this.bands.length > 0 && (this.bands[0] as BandPoint).ts < cutoff) this.bands.shift();
    this.draw();
  }

  private draw(): void {
    const w = this.width - MARGIN.left - MARGIN.right;
    const h = HEIGHT - MARGIN.top - MARGIN.bottom;
    this.svg.attr('width', this.width).attr('viewBox', `0 0 ${this.width} ${HEIGHT}`);
    const plot = this.svg.select<SVGGElement>('g.plot');
    const pts = this.points;
    const now = Date.now();
    // Always the last hour up to now, so the line's position tells how recent it is.
    const t1 = Math.max(now, pts.at(-1)?.ts ?? now);
    const x = scaleTime()
      .domain([t1 - CHART_SPAN_MS, t1])
      .range([0, w]);
    const values = pts.map((p) => p.value);
    for (const b of this.bands) values.push(b.lower, b.upper);
    const [v0, v1] = extent(values);
    const y = scaleLinear()
      .domain(v0 === undefined || v1 === undefined ? [0, 1] : v0 === v1 ? [v0 - 1, v1 + 1] : [v0, v1])
      .nice()
      .range([h, 0]);

    plot
      .select<SVGGElement>('g.axis.x')
      .attr('transform', `translate(0,${h})`)
      .call(axisBottom(x).ticks(Math.max(2, Math.floor(w / 90))));
    plot.select<SVGGElement>('g.axis.y').call(
      axisLeft(y)
        .ticks(5)
        .tickFormat((v) => formatValue(Number(v))),
    );
    plot
      .select('path.band')
      .datum(this.bands)
      .attr(
        'd',
        area<BandPoint>()
          .x((b) => x(b.ts))
          .y0((b) => y(b.lower))
          .y1((b) => y(b.upper))(this.bands) ?? '',
      );
    const next = this.bands.at(-1);
    plot
      .select('rect.band-next')
      .attr('display', next ? null : 'none')
      .attr('x', w - 6)
      .attr('width', 6)
      .attr('y', next ? y(next.upper) : 0)
      .attr('height', next ? Math.max(1, y(next.lower) - y(next.upper)) : 0);
    plot.select('path.line').attr(
      'd',
      line<HistoryPoint>()
        .x((p) => x(p.ts))
        .y((p) => y(p.value))(pts) ?? '',
    );
    // Anomaly marks: the alerts raised on this series within the span.
    const series = this.series;
    const marks = series
      ? [...this.store.get().alerts.values()].filter(
          (a) => a.node === series.node && a.indicator === series.indicator && a.raisedAt >= t1 - CHART_SPAN_MS,
        )
      : [];
    const g = plot
      .select<SVGGElement>('g.anomalies')
      .selectAll<SVGGElement, (typeof marks)[number]>('g.anomaly')
      .data(marks, (a) => a.id)
      .join((enter) => {
        const m = enter.append('g').attr('class', 'anomaly');
        m.append('line').attr('class', 'anomaly-line');
        m.append('text').attr('class', 'anomaly-glyph').attr('text-anchor', 'middle');
        m.append('title');
        return m;
      });
    g.attr('transform', (a) => `translate(${x(a.raisedAt)},0)`).attr('data-state', (a) => a.state);
    g.select('line.anomaly-line').attr('y1', 0).attr('y2', h);
    g.select('text.anomaly-glyph')
      .attr('y', 10)
      .text((a) => (a.state === 'escalated' ? '◆' : '▲'));
    g.select('title').text(
      (a) => `${a.kind} change${a.series ? ` in ${a.series}` : ''} (p=${a.probability.toFixed(2)}), ${a.state}`,
    );
    const last = pts.at(-1);
    plot
      .select('circle.last')
      .attr('display', last ? null : 'none')
      .attr('cx', last ? x(last.ts) : 0)
      .attr('cy', last ? y(last.value) : 0);
    if (!this.status.textContent || this.status.textContent === 'No data in the last hour yet.') {
      this.status.textContent = pts.length === 0 ? 'No data in the last hour yet.' : '';
    }
  }

  private readonly onSelect = (): void => {
    this.onIndicator(this.select.value);
  };

  dispose(): void {
    this.loadToken++;
    this.resizeObserver.disconnect();
    this.unsubscribe();
    this.select.removeEventListener('change', this.onSelect);
    this.root.replaceChildren();
  }
}
