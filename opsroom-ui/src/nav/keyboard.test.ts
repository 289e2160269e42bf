import { describe, expect, it } from '@jest/globals';
import type { NodeView } from '@opsroom/models';
import { VALLE } from '../test-support/fixtures.js';
import { commandOfKey, navigate } from './keyboard.js';

const nodes = new Map<string, NodeView>(VALLE.nodes.map((n) => [n.path, n]));

describe('commandOfKey', () => {
  it('maps arrows, Enter, Backspace and Escape, and nothing else', () => {
    expect(commandOfKey('ArrowDown')).toBe('next');
    expect(commandOfKey('ArrowRight')).toBe('next');
    expect(commandOfKey('ArrowUp')).toBe('prev');
    expect(commandOfKey('Enter')).toBe('enter');
    expect(commandOfKey('Backspace')).toBe('up');
    expect(commandOfKey('Escape')).toBe('up');
    expect(commandOfKey('a')).toBeNull();
  });
});

describe('navigate', () => {
  it('moves the cursor among the children, wrapping both ways', () => {
    expect(navigate(nodes, 'valle', { focus: 'valle', cursor: null }, 'next')).toEqual({
      focus: 'valle',
      cursor: 'valle/norte',
    });
    expect(navigate(nodes, 'valle', { focus: 'valle', cursor: 'valle/norte' }, 'next')).toEqual({
      focus: 'valle',
      cursor: 'valle/sur',
    });
    expect(navigate(nodes, 'valle', { focus: 'valle', cursor: 'valle/sur' }, 'next')).toEqual({
      focus: 'valle',
      cursor: 'valle/norte',
    });
    expect(navigate(nodes, 'valle', { focus: 'valle', cursor: null }, 'prev')).toEqual({
      focus: 'valle',
      cursor: 'valle/sur',
    });
  });

  it('enters the child under the cursor, or the first child without one', () => {
    expect(navigate(nodes, 'valle', { focus: 'valle', cursor: 'valle/sur' }, 'enter')).toEqual({
      focus: 'valle/sur',
      cursor: null,
    });
    expect(navigate(nodes, 'valle', { focus: 'valle', cursor: null }, 'enter')).toEqual({
      focus: 'valle/norte',
      cursor: null,
    });
  });

  it('does nothing on Enter at a leaf', () => {
    const at = { focus: 'valle/sur', cursor: null };
    expect(navigate(nodes, 'valle', at, 'enter')).toBe(at);
  });

  it('moves the focus among siblings on a leaf', () => {
    expect(navigate(nodes, 'valle', { focus: 'valle/norte/lana/taller-1', cursor: null }, 'next')).toEqual({
      focus: 'valle/norte/lana/taller-2',
      cursor: null,
    });
  });

  it('goes up to the parent with the cursor on the node it left, never above the scope', () => {
    expect(navigate(nodes, 'valle', { focus: 'valle/norte/lana', cursor: null }, 'up')).toEqual({
      focus: 'valle/norte',
      cursor: 'valle/norte/lana',
    });
    const top = { focus: 'valle/norte', cursor: null };
    expect(navigate(nodes, 'valle/norte', top, 'up')).toBe(top);
  });
});
