import { describe, it, expect } from '@jest/globals';
import { MemoryOutbox } from './memory-outbox.js';
import { outboxContract } from '../../test/support/outbox-contract.js';

outboxContract('MemoryOutbox', (opts) => new MemoryOutbox(opts));

describe('MemoryOutbox', () => {
  it('stays in order across many appends and acks (internal compaction)', () => {
    const o = new MemoryOutbox({ maxReadings: 10_000 });
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      o.append(Array.from({ length: 300 }, () => ({ metric: 'm', value: next, ts: next++ })));
      const b = o.peek(250);
      expect(b.readings.map((r) => r.value)).toEqual(Array.from({ length: 250 }, (_, i) => expected + i));
      expected += o.ack(b);
    }
    expect(o.depth()).toBe(next - expected);
    o.close();
  });
});
