import { describe, it, expect } from '@jest/globals';
import { asText, byteLength } from './bytes.js';

const encode = (s: string) => new TextEncoder().encode(s);

describe('byteLength', () => {
  it('returns the byte length of a Uint8Array whatever the limit', () => {
    expect(byteLength(new Uint8Array(5), 1)).toBe(5);
    expect(byteLength(new Uint8Array(5), 1000)).toBe(5);
  });

  it('returns the exact UTF-8 size of a string that might exceed the limit', () => {
    // 10 é = 20 bytes; 10 × 3 = 30 > 29, so the string is encoded and measured.
    expect(byteLength('é'.repeat(10), 29)).toBe(20);
    // € is 3 bytes, 😀 is 4 bytes (2 UTF-16 units): 3 + 4 + 1 = 8
    expect(byteLength('€😀a', 8)).toBe(8);
  });

  it('returns the character count of an ASCII string, which is its byte size', () => {
    expect(byteLength('output value=1', 1_000_000)).toBe(14);
  });

  it('is over the limit exactly when the UTF-8 encoding is', () => {
    const samples = ['', 'a', 'abc', 'é', 'éé', 'añob', '€€€', '😀😀', 'x'.repeat(40), 'ñ'.repeat(40)];
    for (const s of samples) {
      for (const max of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 39, 40, 41, 79, 80, 81, 119, 120, 121]) {
        expect([s, max, byteLength(s, max) > max]).toEqual([s, max, encode(s).byteLength > max]);
      }
    }
  });
});

describe('asText', () => {
  it('returns a string unchanged', () => {
    expect(asText('año')).toBe('año');
  });

  it('decodes a Uint8Array as UTF-8', () => {
    expect(asText(new Uint8Array([0x61, 0xc3, 0xb1, 0x6f]))).toBe('año');
    expect(asText(encode('m,t=€ value=1'))).toBe('m,t=€ value=1');
  });
});
