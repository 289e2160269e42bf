import { describe, expect, it } from '@jest/globals';
import { BROKER_PROTOCOLS } from '@opsroom/models';
import { resolveConfig } from './config.js';

describe('--broker-url', () => {
  it("accepts the schemes of models' one table, as the edge agent does", () => {
    for (const scheme of BROKER_PROTOCOLS)
      expect(resolveConfig({ 'broker-url': `${scheme}://127.0.0.1:1883` }, {}).brokerUrl).toBe(
        `${scheme}://127.0.0.1:1883`,
      );
  });

  it('refuses any other, saying which it takes', () => {
    expect(() => resolveConfig({ 'broker-url': 'tcp://127.0.0.1:1883' }, {})).toThrow(
      'must start with mqtt://, mqtts://, ws:// or wss://, got tcp://',
    );
    expect(() => resolveConfig({ 'broker-url': 'http://127.0.0.1' }, {})).toThrow(/got http:\/\//);
  });
});
