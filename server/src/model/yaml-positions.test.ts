import { describe, it, expect } from '@jest/globals';
import { LineCounter, parseDocument } from 'yaml';
import { joinPath, pathAtOffset, positionOfNode, positionOfOffset } from './yaml-positions.js';

const parse = (text: string) => {
  const lc = new LineCounter();
  return { doc: parseDocument(text, { lineCounter: lc }), lc };
};

describe('joinPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(joinPath('', 'nodes')).toBe('nodes');
    expect(joinPath('nodes', 0)).toBe('nodes[0]');
    expect(joinPath('nodes[0]', 'children')).toBe('nodes[0].children');
  });

  it('quotes keys that are not plain words', () => {
    expect(joinPath('weights', 'per m²')).toBe('weights["per m²"]');
    expect(joinPath('correction_windows', '0')).toBe('correction_windows["0"]');
  });
});

describe('positions', () => {
  it('are 1-based lines and columns of offsets and nodes', () => {
    const text = 'name: x\nnodes:\n  - id: a\n';
    const { doc, lc } = parse(text);
    expect(positionOfOffset(lc, 0)).toEqual({ line: 1, column: 1 });
    expect(positionOfOffset(lc, text.indexOf('id'))).toEqual({ line: 3, column: 5 });
    const nodes = doc.get('nodes', true) as never;
    expect(positionOfNode(lc, nodes)).toEqual({ line: 3, column: 3 });
    expect(positionOfNode(lc, undefined)).toBeUndefined();
  });

  it('work on a one-line file without a newline', () => {
    const { lc } = parse('name: x');
    expect(positionOfOffset(lc, 6)).toEqual({ line: 1, column: 7 });
  });
});

describe('pathAtOffset', () => {
  it('names the innermost field that contains an offset', () => {
    const text = 'name: x\nnodes:\n  - id: a\n    children:\n      - id: b\n';
    const { doc } = parse(text);
    expect(pathAtOffset(doc.contents, text.lastIndexOf('b'))).toBe('nodes[0].children[0].id');
    expect(pathAtOffset(doc.contents, text.indexOf('x'))).toBe('name');
    expect(pathAtOffset(doc.contents, text.length + 10)).toBe('');
  });
});
