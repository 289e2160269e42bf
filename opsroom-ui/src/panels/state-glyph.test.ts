import { describe, expect, it } from '@jest/globals';
import { labelWithState, stateGlyph } from './state-glyph.js';

describe('stateGlyph', () => {
  it('gives every state its own shape', () => {
    const glyphs = (['normal', 'alert', 'crisis'] as const).map(stateGlyph);
    expect(new Set(glyphs).size).toBe(3);
    expect(stateGlyph('alert')).toBe('▲');
  });
});

describe('labelWithState', () => {
  it('names a node in trouble with its shape and its state in words', () => {
    expect(labelWithState('Taller 2', 'crisis')).toBe('◆ Taller 2 · crisis');
    expect(labelWithState('Taller 2', 'alert')).toBe('▲ Taller 2 · alert');
  });
  it('leaves a normal node its plain name', () => {
    expect(labelWithState('Taller 2', 'normal')).toBe('Taller 2');
  });
});
