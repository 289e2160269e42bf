import {
  area,
  axisBottom,
  axisLeft,
  extent,
  line,
  scaleLinear,
  scaleTime,
  select,
  timeFormat,
  zoom,
  zoomIdentity,
  type D3ZoomEvent,
  type ScaleTime,
  type Selection,
  type ZoomBehavior,
} from 'd3';
import type { Alert } from '@opsroom/models';
import type { HistoryPoint, OpsroomApi } from '../data/api.js';
import { valueKey, type RoomState, type Store } from '../data/state.js';
import { formatValue } from '../panels/format.js';
import { el, renderOnFrame } from '../panels/frame-render.js';
import {
  chartCsv,
  chartSpecs,
  loadMarks,
  loadSeries,
  marksIn,
  panelsOf,
  type BandPoint,
  type ChartPanel,
  type ChartSeries,
  type CompareMode,
} from './chart-data.js';
import {
  clampRange,
  formatSpan,
  MAX_SPAN_MS,
  maxPointsFor,
  MIN_SPAN_MS,
  nearestPoint,
  presetOf,
  presetRange,
  RANGE_PRESETS,
  presetLabel,
  tickFormatter,
  type ChartRange,
} from './chart-range.js';
import { formatNumber, t } from '../i18n/i18n.js';

/** The range the chart opens with, ms (the 1 h preset). */
export const CHART_SPAN_MS = 60 * 60_000;
/** The plot's height, px; more when many small multiples need it (MIN_PANEL_H each). */
const HEIGHT = 210;
const MIN_PANEL_H = 26;
const MARGIN = { top: 8, right: 14, bottom: 22, left: 52 };
const PANEL_GAP = 14;
/** Line colours, one per series in a panel (the first is the focused node's). */
const COLOURS = ['#2dd4bf', '#7dd3fc', '#c4b5fd', '#f9a8d4', '#a3e635', '#fdba74', '#93c5fd', '#e5e7eb'];
const COMPARE_MODES: readonly CompareMode[] = ['none', 'indicators', 'children'];
let chartIds = 0;

/**
 * The history chart of the focused node: a range from 15 minutes to a year (presets, or wheel
 * zoom and drag pan, each re-asking /api/history, which picks raw points or windows of its tiers
 * that fit the plot's width), a read-out under the pointer, several indicators of the node (small
 * multiples) or the node with its children (overlaid, with a legend), and a CSV of what is charted.
 *
 * Behind the focused node's line: over history, the min–max of each window (when the answer is
 * windows); from now on, the detector's forecast band as live updates bring it (forecasts are not
 * stored, so there is none over history). Anomaly marks: a dashed line and a ▲ (◆ once escalated)
 * at the time each alert on a charted node and indicator was raised, read from /api/alerts for the
 * range (resolved ones too) and kept current from the live alerts.
 */
export class IndicatorChart {
  private readonly unsubscribe: () => void;
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly title: HTMLElement;
  private readonly status: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly spanText: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly compare: HTMLSelectElement;
  private readonly presetButtons: HTMLButtonElement[];
  private readonly csvButton: HTMLButtonElement;
  private readonly resizeObserver: ResizeObserver;
  private readonly zoom: ZoomBehavior<SVGRectElement, unknown>;
  private readonly clipId = `chart-clip-${++chartIds}`;
  private range: ChartRange = presetRange(CHART_SPAN_MS, Date.now());
  private mode: CompareMode = 'none';
  private series: ChartSeries[] = [];
  private marks: Alert[] = [];
  /** The detector's forecast bands from live updates, per series key. */
  private liveBands = new Map<string, BandPoint[]>();
  private key = '';
  private loadToken = 0;
  private loadedAt = 0;
  private leftOut = 0;
  private width = 600;
  /** The x scale while a zoom or pan gesture runs (null: the range's). */
  private zoomX: ScaleTime<number, number> | null = null;
  private resettingZoom = false;
  private hoverTs: number | null = null;
  private legendSignature = '';

  constructor(
    private readonly root: HTMLElement,
    private readonly store: Store,
    private readonly api: OpsroomApi,
    private readonly onIndicator: (id: string) => void,
  ) {
    const head = el('div', 'chart-head');
    this.title = el('h3', 'chart-title');
    this.select = el('select', 'chart-select');
    this.select.setAttribute('aria-label', t('chart.select'));
    this.select.addEventListener('change', this.onSelect);
    this.compare = el('select', 'chart-compare');
    this.compare.setAttribute('aria-label', t('chart.compare'));
    this.compare.dataset.testid = 'chart-compare';
    for (const v of COMPARE_MODES) this.compare.add(new Option(t(`chart.compare.${v}`), v));
    this.compare.addEventListener('change', this.onCompare);
    head.append(this.title, this.select, this.compare);

    const tools = el('div', 'chart-tools');
    const presets = el('div', 'chart-ranges');
    presets.setAttribute('role', 'group');
    presets.setAttribute('aria-label', t('chart.range'));
    this.presetButtons = RANGE_PRESETS.map((p) => {
      const b = el('button', 'chart-range', presetLabel(p));
      b.type = 'button';
      b.dataset.range = p.id;
      b.addEventListener('click', () => this.setRange(presetRange(p.ms, Date.now())));
      return b;
    });
    presets.append(...this.presetButtons);
    this.spanText = el('span', 'chart-span');
    this.csvButton = el('button', 'chart-csv', 'CSV');
    this.csvButton.type = 'button';
    this.csvButton.title = t('chart.csv');
    this.csvButton.dataset.testid = 'chart-csv';
    this.csvButton.addEventListener('click', this.onCsv);
    tools.append(presets, this.spanText, this.csvButton);

    const box = el('div', 'chart-box');
    this.readout = el('p', 'chart-readout', t('chart.hint'));
    this.readout.dataset.testid = 'chart-readout';
    this.legend = el('div', 'chart-legend');
    this.status = el('p', 'chart-status');
    root.replaceChildren(head, tools, box, this.readout, this.legend, this.status);
    this.svg = select(box).append('svg').attr('class', 'chart').attr('height', HEIGHT).attr('role', 'img');
    this.svg
      .append('defs')
      .append('clipPath')
      .attr('id', this.clipId)
      .append('rect')
      .attr('x', 0)
      .attr('y', -MARGIN.top);
    this.svg.append('g').attr('class', 'panels');
    const hover = this.svg.append('g').attr('class', 'hover').attr('transform', `translate(${MARGIN.left},0)`);
    hover.append('line').attr('class', 'hover-rule').attr('display', 'none');
    this.zoom = zoom<SVGRectElement, unknown>().on('zoom', this.onZoom).on('end', this.onZoomEnd);
    this.svg
      .append('rect')
      .attr('class', 'zoom-overlay')
      .attr('x', MARGIN.left)
      .attr('y', MARGIN.top)
      .call(this.zoom)
      .on('pointermove', this.onPointer)
      .on('pointerleave', this.onLeave);

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

  private get plotWidth(): number {
    return Math.max(10, this.width - MARGIN.left - MARGIN.right);
  }

  private render(s: RoomState, prev: RoomState | null): void {
    if (!prev || prev.model !== s.model) {
      this.select.replaceChildren(...(s.model?.indicators ?? []).map((i) => new Option(i.name, i.id)));
    }
    if (s.indicator && this.select.value !== s.indicator) this.select.value = s.indicator;
    const node = s.focus;
    const indicator = s.indicator;
    if (!node || !indicator) return;
    const key = `${this.mode}\u0000${node}\u0000${indicator}`;
    if (key !== this.key || (prev && prev.model !== s.model)) {
      this.key = key;
      const def = s.model?.indicators.find((i) => i.id === indicator);
      const name = s.nodes.get(node)?.name ?? node;
      // The indicator is in the select beside it: the title names the node (and the unit).
      this.title.textContent = this.mode === 'indicators' || !def?.unit ? name : `${name} · ${def.unit}`;
      this.title.title =
        this.mode === 'indicators'
          ? t('chart.titleIndicators', { node: name })
          : t('chart.titleOne', { what: def?.name ?? indicator, node: name });
      const what = this.mode === 'indicators' ? t('chart.theIndicators') : (def?.name ?? indicator);
      this.svg.attr('aria-label', t('chart.aria', { what, node: name }));
      this.series = [];
      this.marks = [];
      void this.load();
      return;
    }
    if (prev && prev.latest !== s.latest) this.appendLive(s);
    if (prev && prev.alerts !== s.alerts) {
      // Anomaly marks follow the live alerts (a new one, a state change).
      const byId = new Map(this.marks.map((a) => [a.id, a]));
      for (const a of s.alerts.values()) byId.set(a.id, a);
      this.marks = marksIn([...byId.values()], this.series, this.range);
      this.draw();
    }
  }

  /** Shows `r` and reads it. */
  private setRange(r: ChartRange): void {
    this.range = r;
    void this.load();
  }

  /** Reads every charted series and the range's alerts; the old lines stay until the new ones arrive. */
  private async load(): Promise<void> {
    const s = this.store.get();
    const node = s.focus;
    const indicator = s.indicator;
    if (!node || !indicator) return;
    const token = ++this.loadToken;
    this.loadedAt = Date.now(); // at the start, so live updates meanwhile do not ask again
    if (this.range.live) this.range = presetRange(this.range.to - this.range.from, Date.now());
    const range = this.range;
    const [specs, leftOut] = chartSpecs(this.mode, node, indicator, s.nodes, s.model?.indicators ?? []);
    this.status.textContent = t('chart.loading');
    this.root.dataset.loading = 'true';
    this.drawControls();
    this.draw();
    const maxPoints = maxPointsFor(this.plotWidth);
    const [series, marks] = await Promise.all([
      Promise.all(specs.map((spec) => loadSeries(this.api, spec, range, maxPoints))),
      loadMarks(this.api, node, specs, range, s.alerts),
    ]);
    if (token !== this.loadToken) return;
    this.series = series;
    this.marks = marks;
    this.leftOut = leftOut;
    this.liveBands = new Map();
    delete this.root.dataset.loading;
    this.status.textContent = this.statusText();
    this.appendLive(this.store.get());
    this.draw();
  }

  /** What the lines are, in words: the primary series' resolution, and what was left out. */
  private statusText(): string {
    const errors = this.series.filter((x) => x.error);
    if (errors.length > 0 && errors.length === this.series.length) {
      return t('chart.unavailable', { error: errors[0]?.error ?? '' });
    }
    const primary = this.series.find((x) => x.primary && x.resolution);
    const parts: string[] = this.range.live ? [] : [rangeText(this.range.from, this.range.to)];
    if (primary?.resolution) {
      const r = primary.resolution;
      parts.push(
        r.stepMs === null ? t('chart.raw') : t('chart.means', { span: formatSpan(r.stepMs), tier: tierNote(r.source) }),
      );
      const rule = r.rule ?? t('chart.rule');
      if (r.basis === 'children')
        parts.push(r.leaves ? t('chart.rolledUp', { leaves: r.leaves, rule }) : t('chart.rolledUpIts', { rule }));
    }
    if (this.series.some((x) => x.truncated)) parts.push(t('chart.truncated'));
    if (this.leftOut > 0) parts.push(t('chart.leftOut', { count: this.leftOut }));
    if (errors.length > 0) parts.push(t('chart.seriesUnavailable', { count: errors.length }));
    if (this.series.length > 0 && this.series.every((x) => x.points.length === 0)) parts.push(t('chart.noDataRange'));
    return parts.join(' · ');
  }

  private appendLive(s: RoomState): void {
    if (!this.range.live || this.series.length === 0) return;
    const now = Date.now();
    const span = this.range.to - this.range.from;
    this.range = { from: now - span, to: now, live: true };
    for (const x of this.series) {
      const u = s.latest.get(valueKey(x.node, x.indicator));
      if (!u) continue;
      // Live readings join raw history only; windows are re-read once a window has passed.
      const last = x.points.at(-1);
      if (x.resolution?.stepMs === null && u.value !== null && (!last || u.ts > last.ts)) {
        x.points.push({ ts: u.ts, value: u.value });
      }
      if (x.primary && u.forecast) {
        const k = valueKey(x.node, x.indicator);
        const bands = this.liveBands.get(k) ?? [];
        const lastBand = bands.at(-1);
        if (!lastBand || u.ts > lastBand.ts) bands.push({ ts: u.ts, lower: u.forecast.lower, upper: u.forecast.upper });
        this.liveBands.set(k, bands);
      }
      while (x.points.length > 0 && (x.points[0] as HistoryPoint).ts < this.range.from) x.points.shift();
    }
    const step = this.series.find((x) => x.primary)?.resolution?.stepMs ?? null;
    if (step !== null && now - this.loadedAt > Math.max(step, 60_000)) {
      void this.load();
      return;
    }
    this.draw();
  }

  private xScale(): ScaleTime<number, number> {
    return this.zoomX ?? scaleTime().domain([this.range.from, this.range.to]).range([0, this.plotWidth]);
  }

  private drawControls(): void {
    const preset = presetOf(this.range);
    for (const b of this.presetButtons) b.setAttribute('aria-pressed', String(b.dataset.range === preset));
    // While a gesture runs, the span under way; the dates of a past range are in the status line.
    const [t0, t1] = this.zoomX ? this.zoomX.domain().map(Number) : [this.range.from, this.range.to];
    const span = (t1 ?? 0) - (t0 ?? 0);
    this.spanText.textContent =
      this.range.live && !this.zoomX ? t('chart.lastLive', { span: formatSpan(span) }) : formatSpan(span);
    this.spanText.title = rangeText(this.range.from, this.range.to);
  }

  private drawLegend(): void {
    const items: HTMLElement[] = [];
    const signature = [
      this.series.map((x) => `${x.label}:${x.points.length > 0}:${x.error ?? ''}`).join('|'),
      this.series.some((x) => x.band.length > 0),
      [...this.liveBands.values()].some((b) => b.length > 0),
      this.marks.length > 0,
    ].join('/');
    if (signature === this.legendSignature) return;
    this.legendSignature = signature;
    const panels = panelsOf(this.series, this.store.get().model?.indicators ?? []);
    const overlaid = panels.some((p) => p.series.length > 1);
    if (overlaid) {
      for (const p of panels) {
        p.series.forEach((x, i) => {
          const item = el('span', 'legend-item');
          const swatch = el('i', 'legend-line');
          swatch.style.background = COLOURS[i % COLOURS.length] ?? '';
          const note = x.error
            ? t('chart.legendUnavailable', { error: x.error })
            : x.points.length === 0
              ? t('chart.legendNoData')
              : '';
          item.append(swatch, `${x.label}${note}`);
          items.push(item);
        });
      }
    }
    if (this.series.some((x) => x.band.length > 0)) {
      const item = el('span', 'legend-item');
      item.append(el('i', 'legend-band'), t('chart.legendBand'));
      items.push(item);
    }
    if ([...this.liveBands.values()].some((b) => b.length > 0)) {
      const item = el('span', 'legend-item');
      item.append(el('i', 'legend-forecast'), t('chart.legendForecast'));
      items.push(item);
    }
    if (this.marks.length > 0) items.push(el('span', 'legend-item', t('chart.legendMarks')));
    this.legend.replaceChildren(...items);
  }

  private draw(): void {
    this.drawControls();
    this.drawLegend();
    const w = this.plotWidth;
    const indicators = this.store.get().model?.indicators ?? [];
    const panels = panelsOf(this.series, indicators);
    const n = Math.max(1, panels.length);
    const gap = n > 3 ? 8 : PANEL_GAP;
    const height = Math.max(HEIGHT, MARGIN.top + MARGIN.bottom + n * MIN_PANEL_H + (n - 1) * gap);
    this.svg.attr('width', this.width).attr('height', height).attr('viewBox', `0 0 ${this.width} ${height}`);
    const panelH = (height - MARGIN.top - MARGIN.bottom - (n - 1) * gap) / n;
    const x = this.xScale();
    const [d0, d1] = x.domain().map(Number) as [number, number];
    this.svg
      .select(`#${this.clipId} rect`)
      .attr('width', w)
      .attr('height', panelH + MARGIN.top);
    this.svg
      .select('rect.zoom-overlay')
      .attr('width', w)
      .attr('height', height - MARGIN.top - MARGIN.bottom);
    const span = this.range.to - this.range.from;
    this.zoom.scaleExtent([span / MAX_SPAN_MS, span / MIN_SPAN_MS]);

    const g = this.svg
      .select<SVGGElement>('g.panels')
      .selectAll<SVGGElement, ChartPanel>('g.plot')
      .data(panels, (p) => p.indicator)
      .join((enter) => {
        const p = enter.append('g').attr('class', 'plot');
        p.append('text').attr('class', 'panel-title').attr('x', 4).attr('y', 10);
        const clipped = p.append('g').attr('class', 'clipped').attr('clip-path', `url(#${this.clipId})`);
        clipped.append('path').attr('class', 'band');
        clipped.append('path').attr('class', 'band-live');
        clipped.append('g').attr('class', 'lines');
        clipped.append('circle').attr('class', 'last').attr('r', 3.5);
        clipped.append('g').attr('class', 'anomalies');
        clipped.append('g').attr('class', 'hover-dots');
        p.append('g').attr('class', 'axis x');
        p.append('g').attr('class', 'axis y');
        return p;
      });
    const marks = this.marks;
    const liveBands = this.liveBands;
    const hoverTs = this.hoverTs;
    const store = this.store;
    g.each(function (panel, i) {
      const plot = select(this);
      plot.attr('transform', `translate(${MARGIN.left},${MARGIN.top + i * (panelH + gap)})`);
      plot
        .select('text.panel-title')
        .attr('display', n > 1 ? null : 'none')
        .text(
          `${panel.title}${panel.unit ? ` (${panel.unit})` : ''}` +
            (panel.series.every((x) => x.points.length === 0) ? ' · no data in this range' : ''),
        );
      const primary = panel.series.find((x) => x.primary);
      const live = primary ? (liveBands.get(valueKey(primary.node, primary.indicator)) ?? []) : [];
      const values: number[] = [];
      for (const x of panel.series) for (const p of x.points) if (p.ts >= d0 && p.ts <= d1) values.push(p.value);
      for (const b of [...(primary?.band ?? []), ...live]) if (b.ts >= d0 && b.ts <= d1) values.push(b.lower, b.upper);
      const [v0, v1] = extent(values);
      const y = scaleLinear()
        .domain(v0 === undefined || v1 === undefined ? [0, 1] : v0 === v1 ? [v0 - 1, v1 + 1] : [v0, v1])
        .nice()
        .range([panelH, 0]);
      const tick = tickFormatter(d1 - d0);
      const xAxis = axisBottom(x)
        .ticks(Math.max(2, Math.floor(w / 90)))
        .tickFormat((d) => tick(d instanceof Date ? d : new Date(Number(d))));
      plot
        .select<SVGGElement>('g.axis.x')
        .attr('transform', `translate(0,${panelH})`)
        .call(i === n - 1 ? xAxis : xAxis.tickFormat(() => ''));
      plot.select<SVGGElement>('g.axis.y').call(
        axisLeft(y)
          .ticks(values.length === 0 ? 0 : Math.max(2, Math.min(5, Math.floor(panelH / 22))))
          .tickFormat((v) => formatValue(Number(v))),
      );
      const bandArea = area<BandPoint>()
        .x((b) => x(b.ts))
        .y0((b) => y(b.lower))
        .y1((b) => y(b.upper));
      plot
        .select('path.band')
        .attr('data-points', primary?.band.length ?? 0)
        .attr('d', bandArea(primary?.band ?? []) ?? '');
      plot.select('path.band-live').attr('d', bandArea(live) ?? '');
      const pathOf = line<HistoryPoint>()
        .x((p) => x(p.ts))
        .y((p) => y(p.value));
      plot
        .select('g.lines')
        .selectAll<SVGPathElement, ChartSeries>('path.line')
        .data(panel.series, (x) => x.node)
        .join('path')
        .attr('class', 'line')
        .attr('data-node', (x) => x.node)
        .attr('data-points', (x) => x.points.length)
        .attr('stroke', (_, k) => COLOURS[k % COLOURS.length] ?? null)
        .attr('d', (x) => pathOf(x.points) ?? '');
      const last = primary?.points.at(-1);
      plot
        .select('circle.last')
        .attr('display', last ? null : 'none')
        .attr('cx', last ? x(last.ts) : 0)
        .attr('cy', last ? y(last.value) : 0);
      // Hover dots: the point of each series nearest the pointer.
      const dots = hoverTs === null ? [] : panel.series.map((x) => nearestPoint(x.points, hoverTs));
      plot
        .select('g.hover-dots')
        .selectAll('circle')
        .data(dots.flatMap((p, k) => (p ? [{ p, k }] : [])))
        .join('circle')
        .attr('r', 3.5)
        .attr('fill', (d) => COLOURS[d.k % COLOURS.length] ?? null)
        .attr('cx', (d) => x(d.p.ts))
        .attr('cy', (d) => y(d.p.value));
      const nodesOf = new Set(panel.series.map((x) => x.node));
      const mine = marks.filter((a) => a.indicator === panel.indicator && nodesOf.has(a.node));
      const m = plot
        .select<SVGGElement>('g.anomalies')
        .selectAll<SVGGElement, Alert>('g.anomaly')
        .data(mine, (a) => a.id)
        .join((enter) => {
          const e = enter.append('g').attr('class', 'anomaly');
          e.append('line').attr('class', 'anomaly-line');
          e.append('text').attr('class', 'anomaly-glyph').attr('text-anchor', 'middle');
          e.append('title');
          return e;
        });
      m.attr('transform', (a) => `translate(${x(a.raisedAt)},0)`).attr('data-state', (a) => a.state);
      m.select('line.anomaly-line').attr('y1', 0).attr('y2', panelH);
      m.select('text.anomaly-glyph')
        .attr('y', 10)
        .text((a) => (a.state === 'escalated' ? '◆' : '▲'));
      m.select('title').text((a) => {
        const where =
          panel.series.length > 1 ? t('chart.markAt', { node: store.get().nodes.get(a.node)?.name ?? a.node }) : '';
        const series = a.series ? t('chart.markSeries', { series: t(`series.${a.series}`) }) : '';
        const what = t('chart.mark', { kind: t(`kind.${a.kind}`), series, where });
        return `${what} (p=${formatNumber(a.probability, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}), ${t(`alertState.${a.state}`)}`;
      });
    });
    this.svg
      .select('line.hover-rule')
      .attr('display', hoverTs === null ? 'none' : null)
      .attr('x1', hoverTs === null ? 0 : x(hoverTs))
      .attr('x2', hoverTs === null ? 0 : x(hoverTs))
      .attr('y1', MARGIN.top)
      .attr('y2', height - MARGIN.bottom);
    if (this.series.length === 0 && !this.root.dataset.loading) this.status.textContent = t('chart.noData');
  }

  private readonly onZoom = (ev: D3ZoomEvent<SVGRectElement, unknown>): void => {
    if (this.resettingZoom) return;
    this.zoomX = ev.transform.rescaleX(scaleTime().domain([this.range.from, this.range.to]).range([0, this.plotWidth]));
    this.hoverTs = null;
    this.draw();
  };

  private readonly onZoomEnd = (): void => {
    if (this.resettingZoom || !this.zoomX) return;
    const [a, b] = this.zoomX.domain().map(Number) as [number, number];
    this.resettingZoom = true;
    this.svg.select<SVGRectElement>('rect.zoom-overlay').call(this.zoom.transform, zoomIdentity);
    this.resettingZoom = false;
    this.zoomX = null;
    this.setRange(clampRange(a, b, Date.now()));
  };

  private readonly onPointer = (ev: PointerEvent): void => {
    const rect = (ev.currentTarget as SVGRectElement).getBoundingClientRect();
    const scale = this.width / Math.max(1, this.svg.node()?.getBoundingClientRect().width ?? this.width);
    const x = this.xScale();
    const ts = Number(x.invert((ev.clientX - rect.left) * scale));
    this.hoverTs = ts;
    const step = this.series.find((s) => s.primary)?.resolution?.stepMs ?? null;
    const fmt = timeFormat(step !== null && step >= 60_000 ? '%Y-%m-%d %H:%M' : '%Y-%m-%d %H:%M:%S');
    // The time read out is that of the point shown (a window's start), not the pointer's.
    const shown = this.series.map((s) => nearestPoint(s.points, ts)).find((p) => p !== undefined);
    const parts = this.series.flatMap((s) => {
      const p = nearestPoint(s.points, ts);
      if (!p) return [];
      const band = s.band.find((b) => b.ts === p.ts);
      const range = band ? ` (${formatValue(band.lower)}–${formatValue(band.upper)})` : '';
      return [`${s.label}: ${formatValue(p.value)}${s.unit ? ` ${s.unit}` : ''}${range}`];
    });
    const window = step === null ? '' : t('chart.window', { span: formatSpan(step) });
    this.readout.textContent = shown ? `${fmt(new Date(shown.ts))}${window} · ${parts.join(' · ')}` : t('chart.hint');
    this.draw();
  };

  private readonly onLeave = (): void => {
    this.hoverTs = null;
    this.readout.textContent = t('chart.hint');
    this.draw();
  };

  private readonly onSelect = (): void => {
    this.onIndicator(this.select.value);
  };

  private readonly onCompare = (): void => {
    this.mode = this.compare.value as CompareMode;
    this.key = '';
    this.render(this.store.get(), this.store.get());
  };

  private readonly onCsv = (): void => {
    const csv = chartCsv(this.series, this.range);
    const node = (this.store.get().focus ?? 'chart').replace(/\//g, '.');
    const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d+/g, '');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    const what = this.mode === 'indicators' ? 'indicators' : (this.store.get().indicator ?? '');
    a.download = `${node}-${what}-${stamp(this.range.from)}-${stamp(this.range.to)}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };

  dispose(): void {
    this.loadToken++;
    this.resizeObserver.disconnect();
    this.unsubscribe();
    this.svg.select('rect.zoom-overlay').on('.zoom', null).on('pointermove', null).on('pointerleave', null);
    this.select.removeEventListener('change', this.onSelect);
    this.compare.removeEventListener('change', this.onCompare);
    this.csvButton.removeEventListener('click', this.onCsv);
    this.root.replaceChildren();
  }
}

/** Where windows were read from, in words: the embedded store's tiers are named. */
function tierNote(source: string): string {
  return source === 'minute' || source === 'hour' ? t(`chart.tier.${source}`) : '';
}

/**
 * A range in words, local time, dates only when it spans more than two days.
 * @example rangeText(from, to) // '12-02 06:12 – 12-04 23:40 (2.7 d)'
 */
function rangeText(from: number, to: number): string {
  const fmt = timeFormat(to - from > 2 * 86_400_000 ? '%Y-%m-%d' : '%m-%d %H:%M');
  return `${fmt(new Date(from))} – ${fmt(new Date(to))} (${formatSpan(to - from)})`;
}
