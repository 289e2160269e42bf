import { describe, expect, it } from '@jest/globals';
import { alertFacets, type Alert } from '@opsroom/models';
import { choiceCount, filterChoices } from './alert-filter.js';

const ctx = {
  indicators: [{ id: 'output', name: 'Output' }, { id: 'energy' }],
  people: [{ name: 'planner', displayName: 'Regional planner' }, { name: 'council-norte' }],
  me: 'council-norte',
};
const alert = (id: string, over: Partial<Alert>): Alert =>
  ({
    ...{ id, node: 'v/a', owner: 'v/a', path: ['v/a'], indicator: 'output', kind: 'step', state: 'raised' },
    ...{ probability: 1, score: 1, value: 1, raisedAt: 0, updatedAt: 0, deadline: 1, trail: [] },
    ...over,
  }) as Alert;

describe('filterChoices', () => {
  it('offers priorities most urgent first, after "any"', () => {
    expect(filterChoices('priority', ctx, null).map((c) => c.value)).toEqual(['', 'critical', 'high', 'medium', 'low']);
  });
  it('names indicators and people, me first, nobody as -', () => {
    expect(filterChoices('indicator', ctx, null).map((c) => c.label)).toEqual(['any indicator', 'Output', 'energy']);
    expect(filterChoices('assignee', ctx, null)).toEqual([
      { value: '', label: 'anyone or nobody' },
      { value: '-', label: 'nobody assigned' },
      { value: 'council-norte', label: 'me (council-norte)' },
      { value: 'planner', label: 'Regional planner' },
    ]);
  });
  it('adds an assignee the counts hold that the model no longer names', () => {
    const { facets } = alertFacets([alert('a', { assignee: 'gone' })], {});
    expect(filterChoices('assignee', ctx, facets).map((c) => c.value)).toContain('gone');
  });
});

describe('choiceCount', () => {
  it('gives each choice the count its facet holds, 0 when none, null for "any"', () => {
    const shelved = { by: 'x', at: 0, until: 1, remainingMs: null };
    const { facets } = alertFacets([alert('a', { priority: 'high' }), alert('b', { priority: 'high', shelved })], {});
    expect(choiceCount('priority', 'high', facets)).toBe(2);
    expect(choiceCount('priority', 'low', facets)).toBe(0);
    expect(choiceCount('shelved', 'only', facets)).toBe(1);
    expect(choiceCount('state', 'open', facets)).toBe(2);
    expect(choiceCount('priority', '', facets)).toBeNull();
  });
});
