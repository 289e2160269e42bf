import { describe, expect, it } from '@jest/globals';
import { brokerConnection } from './broker-credentials.js';

describe('brokerConnection', () => {
  it('takes the credentials out of the URL, percent-decoded', () => {
    expect(brokerConnection('mqtt://opsroom-server:p%3Aw%40d%2F%23%3F%25@mosquitto:1883')).toEqual({
      url: 'mqtt://mosquitto:1883',
      username: 'opsroom-server',
      password: 'p:w@d/#?%',
    });
  });

  it('passes separate credentials as written, with no decoding', () => {
    expect(brokerConnection('mqtts://broker.example.org:8883', 'opsroom-server', 'p:w@d/#%41')).toEqual({
      url: 'mqtts://broker.example.org:8883',
      username: 'opsroom-server',
      password: 'p:w@d/#%41',
    });
  });

  it('lets separate credentials win over the URL', () => {
    expect(brokerConnection('mqtt://a:b@h:1883', 'c', 'd')).toEqual({
      url: 'mqtt://h:1883',
      username: 'c',
      password: 'd',
    });
  });

  it('leaves both out when there are none, and keeps a WebSocket path', () => {
    expect(brokerConnection('mqtt://h:1883')).toEqual({ url: 'mqtt://h:1883' });
    expect(brokerConnection('wss://u:p@h/mqtt')).toEqual({ url: 'wss://h/mqtt', username: 'u', password: 'p' });
  });

  it('refuses a bad %-escape, naming the setting to use instead', () => {
    expect(() => brokerConnection('mqtt://u:100%@h:1883')).toThrow(/bad %-escape.*OPSROOM_BROKER_PASSWORD/);
  });
});
