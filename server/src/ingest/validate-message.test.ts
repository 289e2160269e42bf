import { describe, expect, it } from '@jest/globals';
import { batchReadings, DEFAULT_DECODE_LIMITS } from '@opsroom/models';
import { tinyModel } from '../../test/support/tiny-model.js';
import { validateMessage } from './validate-message.js';

const NOW = 1_764_244_800_000;
const model = tinyModel([
  { id: 'output', name: 'Output', unit: 'u', rollup: 'sum' },
  { id: 'energy', name: 'Energy', unit: 'kWh', rollup: 'sum' },
]);
const enc = (s: string) => new TextEncoder().encode(s);
const validate = (topic: string, body: string) => validateMessage(topic, enc(body), model, NOW, DEFAULT_DECODE_LIMITS);

describe('validateMessage', () => {
  it('attributes a batch to the node the model binds the device to, never to the payload', () => {
    const v = validate(
      'opsroom/v1/devices/a1-dev/readings',
      JSON.stringify([
        { metric: 'output', value: 3, ts: NOW - 2000, node: 'r/b/b1' },
        { metric: 'energy', value: 1.5, ts: NOW - 1000 },
      ]),
    );
    expect(v.rejections).toEqual([]);
    expect(v.channel).toBe('readings');
    expect(batchReadings(v.batch!)).toEqual([
      { metric: 'output', value: 3, ts: NOW - 2000, deviceId: 'a1-dev', node: 'r/a/a1' },
      { metric: 'energy', value: 1.5, ts: NOW - 1000, deviceId: 'a1-dev', node: 'r/a/a1' },
    ]);
  });

  it('drops readings of metrics that are not indicators, one rejection each, and keeps the rest in order', () => {
    const body = [
      'output value=1 1764244790000000000',
      'noise value=9 1764244791000000000',
      'energy value=2 1764244792000000000',
      'noise value=8 1764244793000000000',
    ].join('\n');
    const v = validate('opsroom/v1/devices/b1-dev/readings', body);
    expect(v.rejections.map((r) => r.code)).toEqual(['unknown_metric', 'unknown_metric']);
    expect(v.rejections[0]!.message).toContain('noise');
    expect(batchReadings(v.batch!).map((r) => [r.metric, r.value, r.ts])).toEqual([
      ['output', 1, 1_764_244_790_000],
      ['energy', 2, 1_764_244_792_000],
    ]);
  });

  it('accepts any metric id on the status channel (the agent reports its own health there)', () => {
    const v = validate(
      'opsroom/v1/devices/b1-dev/status',
      JSON.stringify({ metric: 'agent_buffer_depth', value: 4, ts: NOW }),
    );
    expect(v.channel).toBe('status');
    expect(batchReadings(v.batch!)).toEqual([
      { metric: 'agent_buffer_depth', value: 4, ts: NOW, deviceId: 'b1-dev', node: 'r/b/b1' },
    ]);
  });

  it('gives no batch when every reading was refused, and says why', () => {
    const v = validate(
      'opsroom/v1/devices/b1-dev/readings',
      JSON.stringify([
        { metric: 'noise', value: 1, ts: NOW },
        { metric: 'output', value: 'x', ts: NOW },
      ]),
    );
    expect(v.batch).toBeNull();
    expect(v.rejections.map((r) => r.code).sort()).toEqual(['bad_value', 'unknown_metric']);
  });

  it('refuses unknown devices and topics that are not device channels', () => {
    expect(validate('opsroom/v1/devices/ghost/readings', '{"metric":"output","value":1}').rejections[0]!.code).toBe(
      'unknown_device',
    );
    const bad = validate('opsroom/v1/devices/a1-dev/commands', '{"metric":"output","value":1}');
    expect(bad.rejections[0]!.code).toBe('bad_topic');
    expect(bad.batch).toBeNull();
  });
});
