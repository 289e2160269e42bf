import { describe, it, expect } from '@jest/globals';
import { parseBrokerUrl } from './mqtt-transport.js';

describe('parseBrokerUrl', () => {
  it('takes the scheme, host and port of a broker URL', () => {
    expect(parseBrokerUrl('mqtt://broker.local:1884')).toEqual({ protocol: 'mqtt', host: 'broker.local', port: 1884 });
    expect(parseBrokerUrl('ws://127.0.0.1:9001/mqtt')).toEqual({ protocol: 'ws', host: '127.0.0.1', port: 9001 });
  });

  it('fills in the default port of each scheme', () => {
    expect(parseBrokerUrl('mqtt://b').port).toBe(1883);
    expect(parseBrokerUrl('mqtts://b').port).toBe(8883);
    expect(parseBrokerUrl('ws://b').port).toBe(80);
    expect(parseBrokerUrl('wss://b').port).toBe(443);
  });

  it('gives an IPv6 host without its brackets, as net.connect wants it', () => {
    expect(parseBrokerUrl('mqtts://[::1]')).toEqual({ protocol: 'mqtts', host: '::1', port: 8883 });
  });

  it('refuses other schemes and non-URLs, naming the URL and the accepted forms', () => {
    expect(() => parseBrokerUrl('http://b:1883')).toThrow(
      'bad broker URL "http://b:1883": must start with mqtt://, mqtts://, ws:// or wss://, got http://',
    );
    expect(() => parseBrokerUrl('broker:1883')).toThrow(/bad broker URL "broker:1883"/);
    expect(() => parseBrokerUrl('not a url')).toThrow(/bad broker URL/);
  });
});
