import { describe, expect, it } from '@jest/globals';
import type { Alert, IndicatorDef, NodeView } from '@opsroom/models';
import type { HistoryQuery, HistoryResult, OpsroomApi } from '../data/api.js';
import { chartCsv, chartSpecs, loadSeries, marksIn, MAX_SERIES, panelsOf, type ChartSeries } from './chart-data.js';

const INDICATORS: IndicatorDef[] = [
  { id: 'output', name: 'Output', unit: 't', rollup: 'sum' },
  { id: 'energy', name: 'Energy', unit: 'kWh', rollup: 'sum' },
];
const node = (path: string, children: string[] = []): NodeView =>
  ({ path, name: path.toUpperCase(), depth: 0, children, correctionWindowSec: 60, levels: {} }) as NodeView;
const NODES = new Map<string, NodeView>([
  ['r', node('r', ['r/a', 'r/b'])],
  ['r/a', node('r/a')],
  ['r/b', node('r/b')],
]);
const RANGE = { from: 1_000_000, to: 2_000_000, live: false };

function series(over: Partial<ChartSeries>): ChartSeries {
  return {
    node: 'r',
    indicator: 'output',
    label: 'Output',
    unit: 't',
    primary: true,
    points: [],
    band: [],
    resolution: null,
    truncated: false,
    ...over,
  };
}

describe('chartSpecs', () => {
  it('charts the focused indicator alone, every indicator of the node, or the node with its children', () => {
    expect(chartSpecs('none', 'r', 'energy', NODES, INDICATORS)).toEqual([
      [{ node: 'r', indicator: 'energy', label: 'Energy', unit: 'kWh', primary: true }],
      0,
    ]);
    const [ind] = chartSpecs('indicators', 'r', 'energy', NODES, INDICATORS);
    expect(ind.map((s) => [s.indicator, s.primary])).toEqual([
      ['output', true],
      ['energy', true],
    ]);
    const [kids, left] = chartSpecs('children', 'r', 'output', NODES, INDICATORS);
    expect(kids.map((s) => [s.node, s.label, s.primary])).toEqual([
      ['r', 'R', true],
      ['r/a', 'R/A', false],
      ['r/b', 'R/B', false],
    ]);
    expect(left).toBe(0);
  });

  it(`charts at most ${MAX_SERIES} series, saying how many children were left out`, () => {
    const many = Array.from({ length: 12 }, (_, i) => `r/c${i}`);
    const [specs, left] = chartSpecs('children', 'r', 'output', new Map([['r', node('r', many)]]), INDICATORS);
    expect(specs).toHaveLength(MAX_SERIES);
    expect(left).toBe(12 - (MAX_SERIES - 1));
  });
});

describe('panelsOf', () => {
  it('puts one indicator in one panel, its nodes overlaid', () => {
    const panels = panelsOf(
      [series({}), series({ node: 'r/a', primary: false }), series({ indicator: 'energy' })],
      INDICATORS,
    );
    expect(panels.map((p) => [p.indicator, p.title, p.unit, p.series.map((s) => s.node)])).toEqual([
      ['output', 'Output', 't', ['r', 'r/a']],
      ['energy', 'Energy', 'kWh', ['r']],
    ]);
  });
});

describe('loadSeries', () => {
  const answer = (q: HistoryQuery, stepMs: number | null): HistoryResult => ({
    node: q.node,
    indicator: q.indicator,
    from: q.from ?? 0,
    to: q.to ?? 0,
    points: [
      { ts: 1_000_000, value: q.aggregate === 'min' ? 1 : q.aggregate === 'max' ? 9 : 5 },
      { ts: 1_500_000, value: q.aggregate === 'min' ? 2 : q.aggregate === 'max' ? 8 : 6 },
    ],
    resolution: { stepMs, aggregate: stepMs === null ? null : 'mean', source: 'minute', basis: 'stored', reason: '' },
    truncated: false,
  });
  function api(stepMs: number | null, asked: HistoryQuery[]): OpsroomApi {
    return {
      history: (q: HistoryQuery) => {
        asked.push(q);
        return Promise.resolve(answer(q, stepMs));
      },
    } as unknown as OpsroomApi;
  }

  it('asks the mean, then for windows of the primary series their min and max, the same range and budget', async () => {
    const asked: HistoryQuery[] = [];
    const s = await loadSeries(api(60_000, asked), series({}), RANGE, 400);
    expect(asked.map((q) => [q.aggregate, q.from, q.to, q.maxPoints])).toEqual([
      ['mean', 1_000_000, 2_000_000, 400],
      ['min', 1_000_000, 2_000_000, 400],
      ['max', 1_000_000, 2_000_000, 400],
    ]);
    expect(s.band).toEqual([
      { ts: 1_000_000, lower: 1, upper: 9 },
      { ts: 1_500_000, lower: 2, upper: 8 },
    ]);
    expect(s.points.map((p) => p.value)).toEqual([5, 6]);
  });

  it('draws no band over raw points, nor for a child', async () => {
    const raw: HistoryQuery[] = [];
    expect((await loadSeries(api(null, raw), series({}), RANGE, 400)).band).toEqual([]);
    expect(raw).toHaveLength(1);
    const child: HistoryQuery[] = [];
    expect((await loadSeries(api(60_000, child), series({ primary: false }), RANGE, 400)).band).toEqual([]);
    expect(child).toHaveLength(1);
  });

  it('keeps an unreadable series as empty with its error', async () => {
    const failing = { history: () => Promise.reject(new Error('404 no such node')) } as unknown as OpsroomApi;
    expect(await loadSeries(failing, series({}), RANGE, 400)).toMatchObject({ points: [], error: '404 no such node' });
  });
});

describe('marksIn', () => {
  it('keeps the alerts on a charted node and indicator raised within the range, oldest first', () => {
    const a = (id: string, n: string, ind: string, raisedAt: number) =>
      ({ id, node: n, indicator: ind, raisedAt }) as Alert;
    const marks = marksIn(
      [
        a('late', 'r', 'output', 1_900_000),
        a('early', 'r', 'output', 1_100_000),
        a('other-indicator', 'r', 'energy', 1_500_000),
        a('other-node', 'r/b', 'output', 1_500_000),
        a('before', 'r', 'output', 999_999),
      ],
      [series({})],
      RANGE,
    );
    expect(marks.map((m) => m.id)).toEqual(['early', 'late']);
  });

  it('keeps an alert raised after a live range last moved (its end is now), not one after a fixed range', () => {
    const a = { id: 'new', node: 'r', indicator: 'output', raisedAt: RANGE.to + 5_000 } as Alert;
    expect(marksIn([a], [series({})], { ...RANGE, live: true }).map((m) => m.id)).toEqual(['new']);
    expect(marksIn([a], [series({})], { ...RANGE, live: false })).toEqual([]);
  });
});

describe('chartCsv', () => {
  it('writes each line, then its band as min and max rows, keeping the window that begins before the range', () => {
    const csv = chartCsv(
      [
        series({
          points: [
            { ts: 960_000, value: 5 },
            { ts: 1_020_000, value: 6 },
          ],
          band: [
            { ts: 960_000, lower: 4, upper: 7 },
            { ts: 1_020_000, lower: 5, upper: 8 },
          ],
          resolution: { stepMs: 60_000, aggregate: 'mean', source: 'minute', basis: 'stored', reason: '' },
        }),
        series({
          node: 'r/a',
          primary: false,
          points: [
            { ts: 1_500_000, value: 1 },
            { ts: 2_500_000, value: 2 },
          ],
        }),
      ],
      RANGE,
    );
    expect(csv.split('\r\n').slice(1, -1)).toEqual([
      '1970-01-01T00:16:00.000Z,960000,r,output,t,mean,60000,5',
      '1970-01-01T00:17:00.000Z,1020000,r,output,t,mean,60000,6',
      '1970-01-01T00:16:00.000Z,960000,r,output,t,min,60000,4',
      '1970-01-01T00:17:00.000Z,1020000,r,output,t,min,60000,5',
      '1970-01-01T00:16:00.000Z,960000,r,output,t,max,60000,7',
      '1970-01-01T00:17:00.000Z,1020000,r,output,t,max,60000,8',
      '1970-01-01T00:25:00.000Z,1500000,r/a,output,t,raw,,1',
    ]);
  });
});
