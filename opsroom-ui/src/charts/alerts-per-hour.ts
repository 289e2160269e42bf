import { axisBottom, axisLeft, max, scaleBand, scaleLinear, select, type Selection } from 'd3';
import { formatTime, t } from '../i18n/i18n.js';

const HEIGHT = 180;
const MARGIN = { top: 10, right: 12, bottom: 24, left: 36 };

/**
 * A d3 bar chart of alerts raised per hour (the alarm-health screen), with a dashed line at the
 * ISA-18.2 target of 6 per hour, so an overloaded hour stands out by height and by the line, not
 * colour alone. Each bar carries its count in a tooltip and in `data-count`.
 */
export class AlertsPerHourChart {
  readonly root: SVGSVGElement;
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;

  constructor(private width = 520) {
    this.svg = select(document.createElementNS('http://www.w3.org/2000/svg', 'svg'))
      .attr('class', 'chart health-chart')
      .attr('role', 'img')
      .attr('aria-label', t('health.chartLabel'));
    this.root = this.svg.node()!;
  }

  render(hourly: ReadonlyArray<{ start: number; count: number }>, width = this.width): void {
    this.width = Math.max(240, width);
    const w = this.width - MARGIN.left - MARGIN.right;
    const h = HEIGHT - MARGIN.top - MARGIN.bottom;
    this.svg.attr('viewBox', `0 0 ${this.width} ${HEIGHT}`).attr('width', this.width).attr('height', HEIGHT);
    this.svg.selectAll('*').remove();
    const g = this.svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
    const x = scaleBand<number>()
      .domain(hourly.map((d) => d.start))
      .range([0, w])
      .padding(0.15);
    const y = scaleLinear()
      .domain([0, Math.max(8, max(hourly, (d) => d.count) ?? 0)])
      .nice()
      .range([h, 0]);
    const hour = (d: Date) => formatTime(d.getTime(), { hour: '2-digit', minute: '2-digit' });
    const every = Math.max(1, Math.ceil(hourly.length / 8));
    g.append('g')
      .attr('class', 'axis')
      .attr('transform', `translate(0,${h})`)
      .call(
        axisBottom(x)
          .tickValues(hourly.filter((_, i) => i % every === 0).map((d) => d.start))
          .tickFormat((d) => hour(new Date(d))),
      );
    g.append('g').attr('class', 'axis').call(axisLeft(y).ticks(4));
    g.selectAll('rect.bar')
      .data(hourly)
      .join('rect')
      .attr('class', (d) => `bar${d.count > 6 ? ' over' : ''}`)
      .attr('data-count', (d) => d.count)
      .attr('x', (d) => x(d.start) ?? 0)
      .attr('width', x.bandwidth())
      .attr('y', (d) => y(d.count))
      .attr('height', (d) => h - y(d.count))
      .append('title')
      .text((d) => t('health.barTitle', { time: hour(new Date(d.start)), count: d.count }));
    g.append('line').attr('class', 'target').attr('x1', 0).attr('x2', w).attr('y1', y(6)).attr('y2', y(6));
    g.append('text')
      .attr('class', 'target-label')
      .attr('x', w)
      .attr('y', y(6) - 3)
      .attr('text-anchor', 'end')
      .text(t('health.target'));
  }

  dispose(): void {
    this.svg.remove();
  }
}
