import { describe, expect, it } from '@jest/globals';
import { hashSecret } from '../auth/hash.js';
import {
  authenticateClient,
  mayPublish,
  mayReceive,
  maySubscribe,
  sessionClientId,
  SERVICE_USERNAME,
} from './broker-auth.js';

const a = { kind: 'device', deviceId: 'dev-a' } as const;
const service = { kind: 'service' } as const;

describe('broker authorisation by the topic grammar', () => {
  it('lets a device publish only its own readings and status', () => {
    expect(mayPublish(a, 'opsroom/v1/devices/dev-a/readings')).toBe(true);
    expect(mayPublish(a, 'opsroom/v1/devices/dev-a/status')).toBe(true);
    expect(mayPublish(a, 'opsroom/v1/devices/dev-b/readings')).toBe(false);
    expect(mayPublish(a, 'opsroom/v1/devices/dev-a/commands')).toBe(false);
    expect(mayPublish(a, 'opsroom/v1/devices/dev-a/readings/extra')).toBe(false);
    expect(mayPublish(a, 'anything/else')).toBe(false);
  });

  it('lets a device subscribe only to its own commands and rejects, without wildcards', () => {
    expect(maySubscribe(a, 'opsroom/v1/devices/dev-a/commands')).toBe(true);
    expect(maySubscribe(a, 'opsroom/v1/devices/dev-a/rejects')).toBe(true);
    expect(maySubscribe(a, 'opsroom/v1/devices/dev-b/commands')).toBe(false);
    expect(maySubscribe(a, 'opsroom/v1/devices/+/readings')).toBe(false);
    expect(maySubscribe(a, '#')).toBe(false);
    expect(maySubscribe(a, 'opsroom/v1/devices/dev-a/readings')).toBe(false);
  });

  it('delivers to a device only its own commands and rejects, whatever its session subscribed to', () => {
    expect(mayReceive(a, 'opsroom/v1/devices/dev-a/commands')).toBe(true);
    expect(mayReceive(a, 'opsroom/v1/devices/dev-a/rejects')).toBe(true);
    expect(mayReceive(a, 'opsroom/v1/devices/dev-b/commands')).toBe(false);
    expect(mayReceive(a, 'opsroom/v1/devices/dev-b/readings')).toBe(false);
    expect(mayReceive(a, '$SYS/broker/uptime')).toBe(false);
    expect(mayReceive(service, 'opsroom/v1/devices/dev-b/readings')).toBe(true);
  });

  it("names a device's session by its device id whatever client id it sent, and the server's by a $ prefix no device id can have", () => {
    expect(sessionClientId(a, 'agent-dev-b')).toBe('dev-a');
    expect(sessionClientId(a, 'dev-b')).toBe('dev-a');
    expect(sessionClientId(a, '')).toBe('dev-a');
    expect(sessionClientId(service, 'dev-a')).toBe(`${SERVICE_USERNAME}/dev-a`);
  });

  it("lets the server's own client do anything", () => {
    expect(mayPublish(service, 'opsroom/v1/devices/dev-b/commands')).toBe(true);
    expect(maySubscribe(service, 'opsroom/v1/devices/+/readings')).toBe(true);
  });
});

describe('authenticateClient', () => {
  const devices = new Map([['dev-a', { id: 'dev-a', node: 'r/a', secretHash: hashSecret('s3cret') }]]);
  const svc = { username: SERVICE_USERNAME, password: 'pw' };

  it('accepts a device with its secret and refuses a wrong one or an unknown device', async () => {
    expect(await authenticateClient('dev-a', Buffer.from('s3cret'), devices, svc)).toEqual(a);
    expect(await authenticateClient('dev-a', Buffer.from('nope'), devices, svc)).toBeNull();
    expect(await authenticateClient('dev-z', Buffer.from('s3cret'), devices, svc)).toBeNull();
    expect(await authenticateClient(undefined, undefined, devices, svc)).toBeNull();
  });

  it('accepts the service account only with its exact password', async () => {
    expect(await authenticateClient(SERVICE_USERNAME, Buffer.from('pw'), devices, svc)).toEqual(service);
    expect(await authenticateClient(SERVICE_USERNAME, Buffer.from('pw2'), devices, svc)).toBeNull();
  });
});

describe('child servers on the parent broker (issue 19 point 2)', () => {
  const norte = { kind: 'server', serverId: 'norte' } as const;
  const servers = [
    { id: 'norte', owns: ['valle/norte'], parent: 'region', secretHash: hashSecret('s3cret') },
    { id: 'sur', owns: ['valle/sur'], parent: 'region' },
  ];

  it('lets a child server in as $server:<id> with its secret only; one without secret_hash never', async () => {
    const svc = { username: SERVICE_USERNAME, password: 'x' };
    const auth = (user: string, pw: string) =>
      authenticateClient(user, Buffer.from(pw), new Map(), svc, undefined, servers);
    await expect(auth('$server:norte', 's3cret')).resolves.toEqual(norte);
    await expect(auth('$server:norte', 'wrong')).resolves.toBeNull();
    await expect(auth('$server:sur', '')).resolves.toBeNull();
    await expect(auth('$server:nobody', 's3cret')).resolves.toBeNull();
    expect(sessionClientId(norte, 'anything')).toBe('$server:norte');
  });

  it('pins a child server to its own up and down topics, and devices off them', () => {
    expect(mayPublish(norte, 'opsroom/servers/norte/up')).toBe(true);
    expect(mayPublish(norte, 'opsroom/servers/sur/up')).toBe(false);
    expect(mayPublish(norte, 'opsroom/servers/norte/down')).toBe(false);
    expect(mayPublish(norte, 'opsroom/v1/devices/dev-a/readings')).toBe(false);
    expect(maySubscribe(norte, 'opsroom/servers/norte/down')).toBe(true);
    expect(maySubscribe(norte, 'opsroom/servers/+/down')).toBe(false);
    expect(mayReceive(norte, 'opsroom/servers/sur/down')).toBe(false);
    expect(mayPublish(a, 'opsroom/servers/norte/up')).toBe(false);
    expect(maySubscribe(a, 'opsroom/servers/norte/down')).toBe(false);
  });
});
