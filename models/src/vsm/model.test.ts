import { describe, it, expect } from '@jest/globals';
import { ancestors, inScope, ROLES, ROLLUP_RULES } from './model.js';

describe('inScope', () => {
  it('holds for the scope node itself', () => {
    expect(inScope('valle/norte', 'valle/norte')).toBe(true);
  });

  it('holds for children and deeper descendants', () => {
    expect(inScope('valle/norte', 'valle/norte/lana')).toBe(true);
    expect(inScope('valle/norte', 'valle/norte/lana/taller-1')).toBe(true);
  });

  it('holds for every node under the root', () => {
    expect(inScope('valle', 'valle/sur/leche/tambo-3')).toBe(true);
  });

  it('does not hold for a sibling whose name starts with the scope', () => {
    expect(inScope('valle/norte', 'valle/norteño')).toBe(false);
    expect(inScope('valle/norte', 'valle/norte-2/lana')).toBe(false);
  });

  it('does not hold for the parent or other ancestors', () => {
    expect(inScope('valle/norte/lana', 'valle/norte')).toBe(false);
    expect(inScope('valle/norte/lana', 'valle')).toBe(false);
  });

  it('does not hold for a sibling subtree', () => {
    expect(inScope('valle/norte', 'valle/sur/lana')).toBe(false);
  });

  it('does not hold for a path that only contains the scope further down', () => {
    expect(inScope('norte', 'valle/norte/lana')).toBe(false);
  });
});

describe('ancestors', () => {
  it('lists the ancestors nearest first: a/b/c -> a/b, a', () => {
    expect(ancestors('a/b/c')).toEqual(['a/b', 'a']);
  });

  it('walks a four-level path up to the root', () => {
    expect(ancestors('valle/norte/lana/taller-1')).toEqual(['valle/norte/lana', 'valle/norte', 'valle']);
  });

  it('gives the root no ancestors', () => {
    expect(ancestors('valle')).toEqual([]);
  });

  it('gives a child of the root only the root', () => {
    expect(ancestors('valle/norte')).toEqual(['valle']);
  });

  it('gives paths every one of which holds the path in scope', () => {
    const path = 'valle/norte/lana/taller-1';
    for (const a of ancestors(path)) expect(inScope(a, path)).toBe(true);
  });

  it('never includes the path itself', () => {
    expect(ancestors('a/b/c')).not.toContain('a/b/c');
  });
});

describe('ROLLUP_RULES and ROLES', () => {
  it('lists the five roll-up rules of the spec', () => {
    expect([...ROLLUP_RULES]).toEqual(['sum', 'mean', 'weighted_mean', 'min', 'max']);
  });

  it('lists the four roles of the spec', () => {
    expect([...ROLES]).toEqual(['device', 'council', 'planner', 'admin']);
  });
});
