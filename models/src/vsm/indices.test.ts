import { describe, it, expect } from '@jest/globals';
import { beerIndices } from './indices.js';

describe('beerIndices', () => {
  it('divides the three levels: 80 of 100 of 160 -> productivity 0.8, latency 0.625, performance 0.5', () => {
    expect(beerIndices(80, 100, 160)).toEqual({ productivity: 0.8, latency: 0.625, performance: 0.5 });
  });

  it('makes performance the product of productivity and latency: 60/120 × 120/240 = 60/240', () => {
    const i = beerIndices(60, 120, 240);
    expect(i).toEqual({ productivity: 0.5, latency: 0.5, performance: 0.25 });
    expect(i.performance).toBe(i.productivity! * i.latency!);
  });

  it('lets actuality exceed capability: 120/100 = 1.2, 120/160 = 0.75', () => {
    expect(beerIndices(120, 100, 160)).toEqual({ productivity: 1.2, latency: 0.625, performance: 0.75 });
  });

  it('gives zero, not null, for zero actuality', () => {
    expect(beerIndices(0, 100, 160)).toEqual({ productivity: 0, latency: 0.625, performance: 0 });
  });

  it('returns null productivity for zero capability and still computes the rest', () => {
    expect(beerIndices(80, 0, 160)).toEqual({ productivity: null, latency: 0, performance: 0.5 });
  });

  it('returns null latency and performance for zero potentiality', () => {
    expect(beerIndices(80, 100, 0)).toEqual({ productivity: 0.8, latency: null, performance: null });
  });

  it('treats negative zero as a zero divisor', () => {
    expect(beerIndices(80, -0, -0)).toEqual({ productivity: null, latency: null, performance: null });
  });

  it('returns null productivity and latency when capability is unknown', () => {
    expect(beerIndices(80, undefined, 160)).toEqual({ productivity: null, latency: null, performance: 0.5 });
    expect(beerIndices(80, null, 160)).toEqual({ productivity: null, latency: null, performance: 0.5 });
  });

  it('returns null latency and performance when potentiality is unknown', () => {
    expect(beerIndices(80, 100, undefined)).toEqual({ productivity: 0.8, latency: null, performance: null });
    expect(beerIndices(80, 100, null)).toEqual({ productivity: 0.8, latency: null, performance: null });
  });

  it('returns only nulls when only actuality is known', () => {
    expect(beerIndices(80)).toEqual({ productivity: null, latency: null, performance: null });
  });

  it('still computes latency from the model levels when actuality is unknown', () => {
    expect(beerIndices(null, 100, 160)).toEqual({ productivity: null, latency: 0.625, performance: null });
  });

  it('returns only nulls when nothing is known', () => {
    expect(beerIndices(null, undefined, undefined)).toEqual({ productivity: null, latency: null, performance: null });
  });
});
