import type { Alert, IndicatorUpdate, ModelView, NodeView } from '@opsroom/models';

/** Builds a ModelView from `parent -> children` lines: `{ valle: ['valle/norte', 'valle/sur'] }`. */
export function modelOf(tree: Record<string, string[]>, scope = Object.keys(tree)[0] as string): ModelView {
  const parents = new Map<string, string>();
  for (const [p, kids] of Object.entries(tree)) for (const k of kids) parents.set(k, p);
  const paths = new Set<string>([...Object.keys(tree), ...parents.keys()]);
  const nodes: NodeView[] = [...paths].map((path) => {
    const parent = parents.get(path);
    return {
      path,
      name: path.split('/').at(-1) as string,
      depth: path.split('/').length - 1,
      ...(parent ? { parent } : {}),
      children: tree[path] ?? [],
      correctionWindowSec: 60,
      levels: {},
    };
  });
  return {
    name: 'Test',
    scope,
    levels: ['region', 'council', 'cooperative', 'workshop'],
    indicators: [
      { id: 'output', name: 'Output', unit: 'units', rollup: 'sum' },
      { id: 'energy', name: 'Energy', unit: 'kWh', rollup: 'sum' },
    ],
    nodes,
  };
}

export const VALLE = modelOf({
  valle: ['valle/norte', 'valle/sur'],
  'valle/norte': ['valle/norte/lana'],
  'valle/norte/lana': ['valle/norte/lana/taller-1', 'valle/norte/lana/taller-2'],
  'valle/sur': [],
});

export function update(
  node: string,
  indicator: string,
  ts: number,
  value: number | null,
  extra: Partial<IndicatorUpdate> = {},
): IndicatorUpdate {
  return {
    node,
    indicator,
    ts,
    value,
    stale: false,
    missingChildren: 0,
    missingDescendants: 0,
    productivity: null,
    latency: null,
    performance: null,
    ...extra,
  };
}

export function alert(id: string, extra: Partial<Alert> = {}): Alert {
  return {
    id,
    node: 'valle/norte/lana/taller-1',
    owner: 'valle/norte/lana/taller-1',
    path: ['valle/norte/lana/taller-1'],
    indicator: 'output',
    kind: 'step',
    probability: 0.9,
    score: 0.8,
    state: 'raised',
    value: 3,
    raisedAt: 1_000,
    updatedAt: 1_000,
    deadline: 61_000,
    trail: [],
    ...extra,
  };
}
