import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { OPTIONS } from '../../src/config/config.js';
import { natsConfFile, NATS_DEFAULTS } from '../../src/broker/nats-config.js';
import { REPO_ROOT } from '../support/demo-fixture.js';

/**
 * deploy/federation/docker-compose.nats.yml (issue 19 point 7, the nats-server variant), checked as data (no Docker
 * engine here): the region and two councils of docker-compose.yml, the region's devices and server on a 3-node
 * nats-server cluster whose files `opsroom broker-config --broker nats` writes, each node on its own volume.
 */
interface Service {
  image?: string;
  build?: { context: string };
  command?: string[];
  entrypoint?: string[];
  init?: boolean;
  stop_grace_period?: string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: Array<string | { source: string; target: string; read_only?: boolean }>;
  depends_on?: Record<string, { condition: string }>;
  networks?: { default?: { aliases?: string[] } };
  healthcheck?: { test: string[] };
  secrets?: string[];
}
const dir = join(REPO_ROOT, 'deploy/federation');
const text = readFileSync(join(dir, 'docker-compose.nats.yml'), 'utf8');
const compose = parse(text, { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file: string }>;
};
const plain = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const nodes = ['nats-1', 'nats-2', 'nats-3'];
const servers = ['norte', 'region', 'sur'];
const s = (name: string): Service => compose.services[name]!;

describe('deploy/federation/docker-compose.nats.yml', () => {
  it('runs the same three servers, the one-shot broker-config and three nats-server nodes', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['broker-config', ...nodes, ...servers].sort());
    for (const id of servers) {
      expect(s(id)).toMatchObject({ image: 'opsroom:local', build: { context: '../..' }, command: ['start'] });
      expect(s(id)).toMatchObject({ init: true, stop_grace_period: '30s' });
      const known = new Set<string>(OPTIONS.map((o) => o.env));
      for (const name of Object.keys(s(id).environment!))
        expect({ name, known: known.has(name) }).toEqual({ name, known: true });
    }
    // the councils are docker-compose.yml's, except that they link to the region's federation listener
    for (const id of ['norte', 'sur']) {
      const { OPSROOM_UPLINK_URL, ...rest } = s(id).environment!;
      const { OPSROOM_UPLINK_URL: before, ...restBefore } = plain.services[id]!.environment!;
      expect(rest).toEqual(restBefore);
      expect(before).toBe('mqtt://region:1883');
      expect(OPSROOM_UPLINK_URL).toBe(`mqtt://region:${s('region').environment!.OPSROOM_FEDERATION_PORT}`);
    }
  });

  it("starts each node from its own generated file, on the image's MQTT port, its JetStream on its own volume", () => {
    for (const [i, name] of nodes.entries()) {
      const node = s(name);
      expect(node.image).toBe('nats:2.10-alpine');
      expect(node.command).toEqual(['-c', `/etc/nats/${natsConfFile(i + 1)}`]);
      expect(node.volumes).toEqual(['nats-config:/etc/nats:ro', `${name}-data:/data`]);
      expect(NATS_DEFAULTS.storeDir.startsWith('/data/')).toBe(true);
      expect(node.ports).toHaveLength(1);
      expect(node.ports![0]).toMatch(
        new RegExp(`^\\$\\{OPSROOM_MQTT_BIND:-127\\.0\\.0\\.1\\}:\\d+:${NATS_DEFAULTS.mqttPort}$`),
      );
      expect(node.depends_on).toEqual({ 'broker-config': { condition: 'service_completed_successfully' } });
      expect(node.networks?.default?.aliases).toEqual(['nats']);
      expect(node.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${NATS_DEFAULTS.monitorPort}/healthz`);
    }
  });

  it('writes the three files with broker-config --broker nats for the region, into the volume the nodes read', () => {
    const bc = s('broker-config');
    const cmd = bc.command!.join(' ');
    expect(cmd).toMatch(
      /^node server\/bin\/opsroom\.js broker-config --broker nats --nats-nodes 3 --server-id region /,
    );
    expect(cmd).toContain('--out /nats/config');
    expect(cmd).toContain('--secrets /run/secrets/device-secrets');
    expect(bc.volumes).toContain('nats-config:/nats/config');
    expect(bc.secrets).toEqual(['device-secrets']);
    expect(bc.environment!.OPSROOM_BROKER_PASSWORD).toBe('${OPSROOM_BROKER_PASSWORD:?set it in .env}');
    // the route hosts broker-config writes by default (nats-1…nats-3) are the services' names
    expect(nodes).toEqual(Array.from({ length: 3 }, (_, i) => `nats-${i + 1}`));
    expect(compose.secrets['device-secrets']!.file).toBe('${OPSROOM_DEVICE_SECRETS_FILE:-../device-secrets.json}');
  });

  it('points every --broker-url at the nats nodes, with the password the nodes were written with', () => {
    const urls = servers.flatMap((id) => {
      const url = s(id).environment!.OPSROOM_BROKER_URL;
      return url === undefined ? [] : [[id, url] as const];
    });
    expect(urls.map(([id]) => id)).toEqual(['region']);
    for (const [, url] of urls) {
      const u = new URL(url);
      expect(u.protocol).toBe('mqtt:');
      expect(u.username + u.password).toBe(''); // credentials as their own variables
      const host = u.hostname;
      const behind = nodes.filter((n) => n === host || s(n).networks?.default?.aliases?.includes(host));
      expect(behind).toEqual(nodes);
      expect(Number(u.port)).toBe(NATS_DEFAULTS.mqttPort);
    }
    const region = s('region');
    expect(region.environment!.OPSROOM_BROKER_PASSWORD).toBe(s('broker-config').environment!.OPSROOM_BROKER_PASSWORD);
    expect(region.environment!.OPSROOM_BROKER_USERNAME).toBe(s('broker-config').environment!.OPSROOM_BROKER_USERNAME);
    expect(region.environment!.OPSROOM_MQTT_PORT).toBeUndefined();
    for (const n of nodes) expect(region.depends_on![n]).toEqual({ condition: 'service_healthy' });
  });

  it('declares every named volume it mounts, gives each server its own, and publishes no host port twice', () => {
    const named = Object.values(compose.services)
      .flatMap((svc) => svc.volumes ?? [])
      .flatMap((v) => (typeof v === 'string' ? [v.split(':')[0]!] : []));
    for (const v of named) expect(Object.keys(compose.volumes)).toContain(v);
    for (const id of servers) expect(s(id).volumes).toContain(`${id}-data:/data`);
    for (const id of servers)
      expect(s(id).volumes).toContainEqual(expect.objectContaining({ target: '/config/model.yaml', read_only: true }));
    const hostPorts = Object.values(compose.services).flatMap((svc) =>
      (svc.ports ?? []).map((p) => p.split(':').at(-2)),
    );
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    for (const p of Object.values(compose.services).flatMap((svc) => svc.ports ?? []))
      expect(p).toMatch(/^\$\{OPSROOM_(HTTP|MQTT)_BIND:-127\.0\.0\.1\}:\d+:\d+$/);
  });
});
