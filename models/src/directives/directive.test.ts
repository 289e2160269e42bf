import { describe, expect, it } from '@jest/globals';
import {
  decodeDirectiveAck,
  directiveAck,
  DIRECTIVE_ACK_MAX_BYTES,
  encodeDirective,
  encodeDirectiveAck,
  type Directive,
} from './directive.js';

describe('directive codecs (one definition for server and agent)', () => {
  it("an agent's acknowledgement of a server's directive decodes to the directive's alert", () => {
    const d: Directive = {
      type: 'directive',
      alert: 'a-1',
      indicator: 'output',
      from: 'council-norte',
      note: 'check the dryer',
      at: '2026-12-05T10:00:00.000Z',
    };
    const received = JSON.parse(encodeDirective(d)) as unknown;
    const ack = directiveAck(received, 'unit-1', Date.UTC(2026, 11, 5, 10, 0, 1));
    expect(decodeDirectiveAck(encodeDirectiveAck(ack))).toEqual({
      type: 'directive-ack',
      alert: 'a-1',
      deviceId: 'unit-1',
      at: '2026-12-05T10:00:01.000Z',
    });
    expect(decodeDirectiveAck(new TextEncoder().encode(encodeDirectiveAck(ack)))?.alert).toBe('a-1');
  });

  it('is not fooled by health readings, line protocol, other JSON or garbage', () => {
    expect(decodeDirectiveAck('[{"metric":"agent_buffer_depth","value":0}]')).toBeNull();
    expect(decodeDirectiveAck('{"metric":"agent_connected","value":1}')).toBeNull();
    expect(decodeDirectiveAck('agent_connected value=1')).toBeNull();
    expect(decodeDirectiveAck('{"type":"directive-ack"')).toBeNull();
    expect(decodeDirectiveAck('')).toBeNull();
  });

  it('bounds what it keeps: long strings cut, non-strings dropped, oversized payloads refused', () => {
    const ack = decodeDirectiveAck(
      JSON.stringify({ type: 'directive-ack', alert: 'x'.repeat(500), at: 'y'.repeat(500), deviceId: 7 }),
    )!;
    expect(ack.alert).toHaveLength(64);
    expect(ack.at).toHaveLength(40);
    expect(ack.deviceId).toBeUndefined();
    expect(decodeDirectiveAck(JSON.stringify({ type: 'directive-ack', alert: 5 }))).toEqual({
      type: 'directive-ack',
      alert: null,
    });
    expect(
      decodeDirectiveAck(
        JSON.stringify({ type: 'directive-ack', alert: 'a', pad: 'z'.repeat(DIRECTIVE_ACK_MAX_BYTES) }),
      ),
    ).toBeNull();
  });

  it('directiveAck: the alert field, else the id field, else null, for any JSON value', () => {
    expect(directiveAck({ alert: 'x', id: 'y' }, 'd', 0).alert).toBe('x');
    expect(directiveAck({ id: 'y' }, 'd', 0).alert).toBe('y');
    expect(directiveAck({ alert: 5 }, 'd', 0).alert).toBeNull();
    expect(directiveAck('text', 'd', 0).alert).toBeNull();
    expect(directiveAck(null, 'd', 0).alert).toBeNull();
  });
});
