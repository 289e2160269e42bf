import { describe, expect, it } from '@jest/globals';
import { decodeDirectiveAck, directiveAck, encodeDirective, type Alert } from '@opsroom/models';
import { tinyModel } from '../../test/support/tiny-model.js';
import { directivesFor } from './directives-out.js';

describe('directivesFor', () => {
  const alert = { id: 'al-1', indicator: 'output' } as Alert;
  const actor = { name: 'council-norte', role: 'operator', scope: ['r/a'] } as never;

  it('addresses every device of the node, and only those, with the alert, indicator, sender, note and time', () => {
    const out = directivesFor(tinyModel(), 'r/a/a2', alert, actor, 'check the saw', Date.UTC(2026, 11, 5, 12));
    expect(out).toEqual([
      {
        deviceId: 'a2-dev',
        directive: {
          type: 'directive',
          alert: 'al-1',
          indicator: 'output',
          from: 'council-norte',
          note: 'check the saw',
          at: '2026-12-05T12:00:00.000Z',
        },
      },
    ]);
    expect(directivesFor(tinyModel(), 'r/a', alert, actor, '', 0)).toEqual([]);
  });

  it('round-trips with the agent: what it acknowledges is what the server decodes', () => {
    const [{ deviceId, directive }] = directivesFor(tinyModel(), 'r/b/b1', alert, actor, 'n', 0) as [
      { deviceId: string; directive: object },
    ];
    const ack = directiveAck(JSON.parse(encodeDirective(directive as never)), deviceId, 5);
    expect(decodeDirectiveAck(JSON.stringify(ack))).toEqual({
      type: 'directive-ack',
      alert: 'al-1',
      deviceId: 'b1-dev',
      at: '1970-01-01T00:00:00.005Z',
    });
  });
});
