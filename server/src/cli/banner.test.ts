import { describe, expect, it } from '@jest/globals';
import { startBanner } from './banner.js';

describe('startBanner', () => {
  it("never prints the external broker's password", () => {
    const text = startBanner({
      httpUrl: 'http://127.0.0.1:8080',
      mqttUrl: 'mqtt://opsroom-server:s3cret-broker-pw@mosquitto:1883',
    });
    expect(text).not.toContain('s3cret-broker-pw');
    expect(text.split('\n')).toContain(
      '  opsroom is running: http://127.0.0.1:8080  (MQTT mqtt://opsroom-server:***@mosquitto:1883)',
    );
  });

  it('stands apart: a blank line before and after, the URL on the first line of text', () => {
    const lines = startBanner({ httpUrl: 'http://127.0.0.1:8080', mqttUrl: 'mqtt://127.0.0.1:1883' }).split('\n');
    expect(lines[0]).toBe('');
    expect(lines.at(-1)).toBe('');
    expect(lines[1]).toMatch(/^ {2}opsroom is running: http:\/\/127\.0\.0\.1:8080 /);
  });

  it('shows the model hash, and which server of a federated model this is', () => {
    const hash = 'ab'.repeat(32);
    const plain = startBanner({ httpUrl: 'http://h:1', mqttUrl: 'mqtt://h:2', modelHash: hash }).split('\n');
    expect(plain[2]).toBe(`  model hash ${hash}`);
    const fed = startBanner({
      httpUrl: 'http://h:1',
      mqttUrl: 'mqtt://h:2',
      modelHash: hash,
      serverId: 'norte',
      root: 'valle/norte',
    }).split('\n');
    expect(fed[2]).toBe(`  model hash ${hash}; server norte, running valle/norte`);
  });
});
