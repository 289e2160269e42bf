import { describe, expect, it } from '@jest/globals';
import { ALERT_FACETS, type AlertFacetCounts } from '../alerts/alert-query.js';
import { AlertCountsSchema, type AlertCounts } from './requests.js';

describe('AlertCountsSchema', () => {
  it('has one count table per facet of the alert query, and no other', () => {
    expect(Object.keys(AlertCountsSchema.properties.facets.properties).sort()).toEqual([...ALERT_FACETS].sort());
  });

  it('derives the type alertFacets() returns (one assignable to the other, both ways)', () => {
    const facets = {} as AlertFacetCounts;
    const counts: AlertCounts = { total: 0, facets };
    const back: { total: number; facets: AlertFacetCounts } = counts;
    expect(back.total).toBe(0);
  });
});
