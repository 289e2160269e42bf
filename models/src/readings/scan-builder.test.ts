import { describe, expect, it } from '@jest/globals';
import { ColumnBuilder } from './scan-builder.js';
import { scanJsonReadings } from './scan-json.js';
import { DEFAULT_DECODE_LIMITS } from './reading.js';

const NOW = 1_764_244_800_000;
const bytes = (s: string) => new TextEncoder().encode(s);

describe('ColumnBuilder', () => {
  it('scans into a fresh builder without a reset first (it used to probe its name table forever)', () => {
    const out = new ColumnBuilder();
    const msg = bytes('[{"metric":"output","value":1.5},{"metric":"energy","value":2,"ts":1764244799000}]');
    expect(scanJsonReadings(msg, msg.length, NOW, DEFAULT_DECODE_LIMITS, out)).toBe(true);
    expect(out.names).toEqual(['output', 'energy']);
    expect([...out.values.subarray(0, out.length)]).toEqual([1.5, 2]);
    expect([...out.ts.subarray(0, out.length)]).toEqual([NOW, 1764244799000]);
  });

  it('forgets the previous message at reset', () => {
    const out = new ColumnBuilder();
    const a = bytes('{"metric":"a","value":1}');
    const b = bytes('{"metric":"b","value":2}');
    scanJsonReadings(a, a.length, NOW, DEFAULT_DECODE_LIMITS, out);
    out.reset();
    scanJsonReadings(b, b.length, NOW, DEFAULT_DECODE_LIMITS, out);
    expect(out.names).toEqual(['b']);
    expect(out.length).toBe(1);
  });
});
