import { describe, expect, it } from '@jest/globals';
import type { Alert } from './alert.js';
import { alertFacets, alertMatches, fold, type AlertWords } from './alert-query.js';

const alert = (id: string, over: Partial<Alert> = {}): Alert => ({
  id,
  node: 'r/a/a1',
  owner: 'r/a/a1',
  path: ['r/a/a1'],
  indicator: 'output',
  kind: 'step',
  probability: 0.9,
  score: 0.95,
  state: 'raised',
  value: 1,
  raisedAt: 1000,
  updatedAt: 1000,
  deadline: 2000,
  trail: [],
  ...over,
});

const alerts = [
  alert('a', { priority: 'high', assignee: 'ana' }),
  alert('b', { priority: 'critical', node: 'r/a/a2', owner: 'r/a', path: ['r/a/a2', 'r/a'], state: 'escalated' }),
  alert('c', {
    priority: 'high',
    node: 'r/b/b1',
    owner: 'r/b/b1',
    path: ['r/b/b1'],
    indicator: 'energy',
    kind: 'slope',
  }),
  alert('d', { state: 'resolved', raisedAt: 500, deadline: null }),
  alert('e', { priority: 'low', shelved: { by: 'ana', at: 1000, until: 5000, remainingMs: 10, note: 'tool change' } }),
];
const words: AlertWords = {
  node: (p) => ({ 'r/a/a1': 'Taller Uno', 'r/b/b1': 'Quesería' })[p],
  indicator: (i) => ({ output: 'Output', energy: 'Energy use' })[i],
  user: (u) => ({ ana: 'Ana Pérez' })[u],
};
const ids = (q: Parameters<typeof alertMatches>[1]) => alerts.filter((a) => alertMatches(a, q, words)).map((a) => a.id);

describe('alertMatches', () => {
  it('passes everything with an empty query, shelved ones included', () => {
    expect(ids({})).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
  it('leaves shelved alerts out of the open list unless asked, and shows only them on request', () => {
    expect(ids({ state: 'open' })).toEqual(['a', 'b', 'c']);
    expect(ids({ state: 'open', shelved: 'include' })).toEqual(['a', 'b', 'c', 'e']);
    expect(ids({ shelved: 'only' })).toEqual(['e']);
  });
  it('filters by state, priority (medium when absent), kind, indicator and node subtree', () => {
    expect(ids({ state: 'escalated' })).toEqual(['b']);
    expect(ids({ priority: 'medium' })).toEqual(['d']);
    expect(ids({ priority: 'high', kind: 'slope' })).toEqual(['c']);
    expect(ids({ indicator: 'energy' })).toEqual(['c']);
    expect(ids({ node: 'r/a' })).toEqual(['a', 'b', 'd', 'e']);
    expect(ids({ node: 'r/a/a2' })).toEqual(['b']);
  });
  it('filters by assignee, with - meaning nobody', () => {
    expect(ids({ assignee: 'ana' })).toEqual(['a']);
    expect(ids({ assignee: '-', state: 'open' })).toEqual(['b', 'c']);
  });
  it('finds free text in names, case and accents aside, every word required', () => {
    expect(ids({ q: 'queseria' })).toEqual(['c']);
    expect(ids({ q: 'TALLER uno' })).toEqual(['a', 'd', 'e']);
    expect(ids({ q: 'ana pérez' })).toEqual(['a']);
    expect(ids({ q: 'tool change' })).toEqual(['e']);
    expect(ids({ q: 'energy use output' })).toEqual([]);
  });
  it('matches the beginnings of words, so a digit or a fragment does not find everything', () => {
    expect(ids({ q: 'aller' })).toEqual([]);
    expect(ids({ q: 'taller-u' })).toEqual(['a', 'd', 'e']);
    expect(ids({ q: 'r/b/b1' })).toEqual(['c']);
    expect(ids({ q: 'escal' })).toEqual(['b']);
  });
  it('keeps raisedAt within since and until, both inclusive', () => {
    expect(ids({ since: 1000 })).toEqual(['a', 'b', 'c', 'e']);
    expect(ids({ until: 500 })).toEqual(['d']);
  });
});

describe('alertFacets', () => {
  it('counts each facet without its own filter, so other values show what choosing them would give', () => {
    const { total, facets } = alertFacets(alerts, { state: 'open', priority: 'high' }, words);
    expect(total).toBe(2);
    // priority facet: open, not shelved, any priority
    expect(facets.priority).toEqual({ high: 2, critical: 1 });
    // state facet: high priority, not shelved, any state
    expect(facets.state).toEqual({ raised: 2, open: 2 });
    // shelved facet: open and high, shelved or not
    expect(facets.shelved).toEqual({ exclude: 2 });
    expect(facets.node).toEqual({ 'r/a/a1': 1, 'r/b/b1': 1 });
    expect(facets.assignee).toEqual({ ana: 1, '-': 1 });
  });
  it('counts everything with an empty query, open being every state but resolved', () => {
    const { total, facets } = alertFacets(alerts, {});
    expect(total).toBe(5);
    expect(facets.state).toEqual({ raised: 3, escalated: 1, resolved: 1, open: 4 });
    expect(facets.priority).toEqual({ high: 2, critical: 1, medium: 1, low: 1 });
    expect(facets.shelved).toEqual({ exclude: 4, only: 1 });
    expect(facets.kind).toEqual({ step: 4, slope: 1 });
    expect(facets.indicator).toEqual({ output: 4, energy: 1 });
  });
  it('applies free text to every facet and to the total', () => {
    const { total, facets } = alertFacets(alerts, { q: 'taller', priority: 'low' }, words);
    expect(total).toBe(1);
    expect(facets.priority).toEqual({ high: 1, medium: 1, low: 1 });
  });
});

describe('fold', () => {
  it('lower-cases and strips accents', () => {
    expect(fold('Quesería ÑANDÚ')).toBe('queseria nandu');
  });
});
