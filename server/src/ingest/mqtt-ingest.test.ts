import { describe, expect, it } from '@jest/globals';
import { ingestClientId } from './mqtt-ingest.js';

describe('ingestClientId', () => {
  it('is stable for one account, so the persistent session survives a restart', () => {
    expect(ingestClientId('mqtt://opsroom-server:pw@mosquitto:1883')).toBe(
      ingestClientId('mqtt://opsroom-server:pw@10.0.0.5:1883'),
    );
    expect(ingestClientId('mqtt://opsroom-server:pw@mosquitto:1883')).toBe(
      ingestClientId('mqtt://mosquitto:1883', 'opsroom-server', 'pw'),
    );
    expect(ingestClientId('mqtt://opsroom-server:pw@mosquitto:1883')).toMatch(/^opsroom-ingest-[0-9a-f]{24}$/);
  });

  it('cannot be guessed without the password: another password gives another id, never the old fixed one', () => {
    const a = ingestClientId('mqtt://opsroom-server:pw@mosquitto:1883');
    expect(ingestClientId('mqtt://opsroom-server:pw2@mosquitto:1883')).not.toBe(a);
    expect(a).not.toBe('opsroom-server-ingest');
  });

  it('differs per model server on one broker account (issue 19 point 4), and stays as it was without a server id', () => {
    const url = 'mqtt://opsroom-server:pw@mosquitto:1883';
    const norte = ingestClientId(url, undefined, undefined, 'norte');
    const sur = ingestClientId(url, undefined, undefined, 'sur');
    expect(norte).toMatch(/^opsroom-ingest-[0-9a-f]{24}$/);
    expect(new Set([norte, sur, ingestClientId(url)]).size).toBe(3);
    expect(ingestClientId(url, undefined, undefined, 'norte')).toBe(norte); // stable across restarts
    expect(ingestClientId(url, undefined, undefined, undefined)).toBe(ingestClientId(url));
  });
});
