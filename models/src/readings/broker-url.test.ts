import { describe, expect, it } from '@jest/globals';
import { BROKER_PROTOCOLS, BROKER_SCHEME_LIST, parseBrokerUrlParts } from './broker-url.js';

describe('broker URL schemes', () => {
  it('lists the four schemes once', () => {
    expect(BROKER_PROTOCOLS).toEqual(['mqtt', 'mqtts', 'ws', 'wss']);
    expect(BROKER_SCHEME_LIST).toBe('mqtt://, mqtts://, ws:// or wss://');
  });

  it('reads host and port, with each scheme its default port', () => {
    expect(parseBrokerUrlParts('mqtt://broker')).toEqual({ protocol: 'mqtt', host: 'broker', port: 1883, tls: false });
    expect(parseBrokerUrlParts('mqtts://[::1]')).toEqual({ protocol: 'mqtts', host: '::1', port: 8883, tls: true });
    expect(parseBrokerUrlParts('ws://127.0.0.1:9001/mqtt')).toEqual({
      protocol: 'ws',
      host: '127.0.0.1',
      port: 9001,
      tls: false,
    });
    expect(parseBrokerUrlParts('wss://b.example')).toEqual({
      protocol: 'wss',
      host: 'b.example',
      port: 443,
      tls: true,
    });
  });

  it('says what is wrong with anything else', () => {
    expect(parseBrokerUrlParts('http://x')).toBe('must start with mqtt://, mqtts://, ws:// or wss://, got http://');
    expect(parseBrokerUrlParts('tcp://x:1883')).toMatch(/got tcp:\/\//);
    expect(parseBrokerUrlParts('localhost:1883')).toMatch(/must start with/);
    expect(parseBrokerUrlParts('not a url')).toMatch(/is not a URL/);
  });
});
