import { describe, expect, it } from '@jest/globals';
import { parseDirectiveAck } from './pipeline.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('parseDirectiveAck', () => {
  it('recognises an edge agent\'s directive acknowledgement on its status topic', () => {
    expect(parseDirectiveAck('opsroom/v1/devices/d1/status', enc('{"type":"directive-ack","alert":"a1","deviceId":"d1","at":"2026-11-27T12:00:00Z"}'))).toEqual({
      deviceId: 'd1',
      ack: { type: 'directive-ack', alert: 'a1', deviceId: 'd1', at: '2026-11-27T12:00:00Z' },
    });
  });

  it('leaves health readings, other topics and malformed JSON to the readings decoder', () => {
    expect(parseDirectiveAck('opsroom/v1/devices/d1/status', enc('[{"metric":"agent_buffer_depth","value":0}]'))).toBeNull();
    expect(parseDirectiveAck('opsroom/v1/devices/d1/readings', enc('{"type":"directive-ack"}'))).toBeNull();
    expect(parseDirectiveAck('opsroom/v1/devices/d1/status', enc('{"type":"directive-ack"'))).toBeNull();
    expect(parseDirectiveAck('opsroom/v1/devices/d1/status', enc('{"metric":"x","value":1}'))).toBeNull();
  });
});
