import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '../log/logger.js';
import { DirectiveHandler } from './directive-handler.js';

describe('DirectiveHandler', () => {
  it('acknowledges each directive on the status topic with its alert id and the injected time, then hands it on', () => {
    const sent: string[] = [];
    const handed: unknown[] = [];
    const h = new DirectiveHandler({
      deviceId: 'unit-1',
      logger: silentLogger,
      now: () => Date.UTC(2026, 11, 5),
      publishStatus: (p) => (sent.push(p), true),
      onDirective: (d) => handed.push(d),
    });
    const d = {
      type: 'directive',
      alert: 'a-1',
      indicator: 'output',
      from: 'council-norte',
      at: '2026-12-05T00:00:00Z',
    };
    h.handle(d);
    expect(sent.map((p) => JSON.parse(p) as unknown)).toEqual([
      { type: 'directive-ack', alert: 'a-1', deviceId: 'unit-1', at: '2026-12-05T00:00:00.000Z' },
    ]);
    expect(handed).toEqual([d]);
    expect(h.ackedCount).toBe(1);
    expect(h.last).toEqual(d);
  });

  it('counts only acknowledgements that went out', () => {
    const h = new DirectiveHandler({
      deviceId: 'unit-1',
      logger: silentLogger,
      now: () => 0,
      publishStatus: () => false,
    });
    h.handle({ alert: 'a' });
    expect(h.ackedCount).toBe(0);
    expect(h.last).toEqual({ alert: 'a' });
  });
});
