import { scaleLinear, select, type Selection } from 'd3';
import type { BeerIndices, IndicatorDef } from '@opsroom/models';
import { valueKey, type RoomState, type Store } from '../data/state.js';
import { formatRatio } from '../panels/format.js';
import { renderOnFrame } from '../panels/frame-render.js';
import { t, type MessageKey } from '../i18n/i18n.js';

const INDICES: ReadonlyArray<{ key: keyof BeerIndices; label: MessageKey; help: MessageKey }> = [
  { key: 'productivity', label: 'indices.productivity', help: 'indices.productivityHelp' },
  { key: 'latency', label: 'indices.latency', help: 'indices.latencyHelp' },
  { key: 'performance', label: 'indices.performance', help: 'indices.performanceHelp' },
];

/** Bars run from 0 to 120 % so that an index above 1 still shows as overflowing. */
const width = scaleLinear().domain([0, 1.2]).range([0, 100]).clamp(true);

interface Row {
  indicator: IndicatorDef;
  path: string;
  indices: BeerIndices | null;
}

/**
 * Beer's indices (productivity, latency, performance) of the focused node, one group of bars
 * per indicator, each with its number. Below 0.6 a bar turns amber, above 1 it is marked over.
 */
export class IndicesPanel {
  private readonly unsubscribe: () => void;
  private readonly root: Selection<HTMLElement, unknown, null, undefined>;
  private readonly note: Selection<HTMLParagraphElement, unknown, null, undefined>;

  constructor(element: HTMLElement, store: Store) {
    this.root = select(element);
    this.note = this.root.append('p').attr('class', 'indices-note');
    this.unsubscribe = renderOnFrame(store, (s, prev) => {
      if (!prev || prev.latest !== s.latest || prev.focus !== s.focus || prev.model !== s.model) this.render(s);
    });
  }

  private render(s: RoomState): void {
    const focus = s.focus;
    const all: Row[] =
      focus && s.model
        ? s.model.indicators.map((indicator) => ({
            indicator,
            path: focus,
            indices: s.latest.get(valueKey(focus, indicator.id)) ?? null,
          }))
        : [];
    // Indices need Beer's levels; indicators without any are named in one line instead of empty bars.
    const known = (r: Row) => !!r.indices && INDICES.some(({ key }) => r.indices?.[key] != null);
    const rows = all.filter(known);
    const unknown = all.filter((r) => !known(r)).map((r) => r.indicator.name);
    this.note.text(
      rows.length === 0 && unknown.length > 0
        ? t('indices.none')
        : unknown.length > 0
          ? t('indices.unknown', { names: unknown.join(', ') })
          : '',
    );

    const groups = this.root
      .selectAll<HTMLDivElement, Row>('div.index-group')
      .data(rows, (r) => r.indicator.id)
      .join((enter) => {
        const g = enter.insert('div', 'p.indices-note').attr('class', 'index-group');
        g.append('h4');
        return g;
      });
    groups.select('h4').text((r) => r.indicator.name);

    const bars = groups
      .selectAll<HTMLDivElement, { row: Row; spec: (typeof INDICES)[number] }>('div.index-row')
      .data((row) => INDICES.map((spec) => ({ row, spec })))
      .join((enter) => {
        const r = enter.append('div').attr('class', 'index-row');
        r.append('span').attr('class', 'index-name');
        r.append('span').attr('class', 'index-bar').append('span').attr('class', 'fill');
        r.append('span').attr('class', 'index-value num');
        return r;
      });
    bars
      .select('.index-name')
      .text((d) => t(d.spec.label))
      .attr('title', (d) => t(d.spec.help));
    bars
      .select<HTMLSpanElement>('.fill')
      .style('width', (d) => `${width(d.row.indices?.[d.spec.key] ?? 0)}%`)
      .attr('class', (d) => {
        const v = d.row.indices?.[d.spec.key];
        return v == null ? 'fill none' : v < 0.6 ? 'fill low' : v > 1 ? 'fill over' : 'fill ok';
      });
    bars
      .select('.index-value')
      .attr('data-testid', (d) => `index-${d.row.path}-${d.row.indicator.id}-${d.spec.key}`)
      .text((d) => formatRatio(d.row.indices?.[d.spec.key]));
  }

  dispose(): void {
    this.unsubscribe();
    this.root.selectAll('*').remove();
  }
}
