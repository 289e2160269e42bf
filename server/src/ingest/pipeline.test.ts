import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '../log/logger.js';
import { createServerMetrics } from '../metrics/registry.js';
import { MemoryStore } from '../store/memory-store.js';
import { tinyModel } from '../../test/support/tiny-model.js';
import { IngestPipeline, parseDirectiveAck } from './pipeline.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('parseDirectiveAck', () => {
  it("recognises an edge agent's directive acknowledgement on its status topic", () => {
    expect(
      parseDirectiveAck(
        'opsroom/v1/devices/d1/status',
        enc('{"type":"directive-ack","alert":"a1","deviceId":"d1","at":"2026-11-27T12:00:00Z"}'),
      ),
    ).toEqual({
      deviceId: 'd1',
      ack: { type: 'directive-ack', alert: 'a1', deviceId: 'd1', at: '2026-11-27T12:00:00Z' },
    });
  });

  it('leaves health readings, other topics and malformed JSON to the readings decoder', () => {
    expect(
      parseDirectiveAck('opsroom/v1/devices/d1/status', enc('[{"metric":"agent_buffer_depth","value":0}]')),
    ).toBeNull();
    expect(parseDirectiveAck('opsroom/v1/devices/d1/readings', enc('{"type":"directive-ack"}'))).toBeNull();
    expect(parseDirectiveAck('opsroom/v1/devices/d1/status', enc('{"type":"directive-ack"'))).toBeNull();
    expect(parseDirectiveAck('opsroom/v1/devices/d1/status', enc('{"metric":"x","value":1}'))).toBeNull();
  });
});

describe('IngestPipeline latency', () => {
  it('times each message from its arrival to the store accepting it, on the latency clock', async () => {
    const model = tinyModel([{ id: 'output', name: 'Output', unit: 'u', rollup: 'sum' }]);
    const metrics = createServerMetrics({ defaultMetrics: false });
    let t = 1000;
    const store = new MemoryStore();
    const write = store.writeReadings.bind(store);
    store.writeReadings = async (batches) => {
      t += 3; // the write takes 3 ms
      return write(batches);
    };
    const pipeline = new IngestPipeline({
      model: () => model,
      store,
      metrics,
      logger: silentLogger,
      now: () => 1_764_244_800_000,
      latencyClock: () => t,
      onReadings: () => {},
      explain: () => {},
    });
    await pipeline.accept('opsroom/v1/devices/a1-dev/readings', enc('{"metric":"output","value":3}'));
    await pipeline.accept('opsroom/v1/devices/a1-dev/readings', enc('{"metric":"nonsense"'));
    expect(await metrics.ingestToStore.count()).toBe(1); // the refused message stored nothing
    expect(await metrics.registry.render()).toMatch(/^opsroom_ingest_to_store_seconds_sum 0.003$/m);
    await store.close();
  });
});
