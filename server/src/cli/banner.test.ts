import { describe, expect, it } from '@jest/globals';
import { startBanner } from './banner.js';

describe('startBanner', () => {
  it("never prints the external broker's password", () => {
    const line = startBanner({ httpUrl: 'http://127.0.0.1:8080', mqttUrl: 'mqtt://opsroom-server:s3cret-broker-pw@mosquitto:1883' });
    expect(line).not.toContain('s3cret-broker-pw');
    expect(line).toBe('opsroom is running: http://127.0.0.1:8080  (MQTT mqtt://opsroom-server:***@mosquitto:1883)');
  });
});
