import { describe, expect, it } from '@jest/globals';
import { LineEncoder } from './influx-line.js';

describe('LineEncoder', () => {
  it('writes measurement = metric, sorted tags device and node, field value, ms timestamp', () => {
    const e = new LineEncoder();
    expect(e.encode({ node: 'valle/norte', metric: 'output', deviceId: 'm1', ts: 1_700_000_000_000, value: 2.5 })).toBe(
      'output,device=m1,node=valle/norte value=2.5 1700000000000',
    );
  });

  it('escapes spaces, commas and equals signs in tags and the measurement', () => {
    const e = new LineEncoder();
    expect(e.encode({ node: 'a b,c=d', metric: 'x y,z', deviceId: 'm 1', ts: 5, value: -1 })).toBe(
      'x\\ y\\,z,device=m\\ 1,node=a\\ b\\,c\\=d value=-1 5',
    );
  });

  it('reuses the cached prefix for a series and keeps series apart', () => {
    const e = new LineEncoder();
    expect(e.encode({ node: 'n', metric: 'm', deviceId: 'd', ts: 1, value: 1 })).toBe('m,device=d,node=n value=1 1');
    expect(e.encode({ node: 'n', metric: 'm', deviceId: 'e', ts: 2, value: 2 })).toBe('m,device=e,node=n value=2 2');
    expect(e.encode({ node: 'n', metric: 'm', deviceId: 'd', ts: 3, value: 3 })).toBe('m,device=d,node=n value=3 3');
  });
});
