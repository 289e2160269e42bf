import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { OPTIONS } from '../../src/config/config.js';
import { hashSecretAsync } from '../../src/auth/hash.js';
import { loadModelFile } from '../../src/model/index.js';
import { ownership } from '../../src/model/ownership.js';
import { REPO_ROOT } from '../support/demo-fixture.js';

/**
 * deploy/federation/docker-compose.yml (issue 19 point 7), checked as data (no Docker engine here): a region and two
 * councils of one model, the councils linked up to the region's broker with their own secrets from .env, every
 * port on 127.0.0.1 by default, and the model example valid once filled in, with the ids the file uses.
 */
interface Service {
  image?: string;
  profiles?: string[];
  depends_on?: string[];
  build?: { context: string };
  command?: string[];
  init?: boolean;
  stop_grace_period?: string;
  environment: Record<string, string>;
  ports: string[];
  volumes: Array<string | { source: string; target: string; read_only?: boolean }>;
}
const dir = join(REPO_ROOT, 'deploy/federation');
const compose = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const envExample = readFileSync(join(dir, 'env.example'), 'utf8');
/** The servers `docker compose up` starts (the `replicas` profile's services are apart). */
const servers = Object.fromEntries(Object.entries(compose.services).filter(([, s]) => s.profiles === undefined));
const example = readFileSync(join(dir, 'model.example.yaml'), 'utf8');

describe('deploy/federation/docker-compose.yml', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'opsroom-federation-compose-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("runs a region and two councils from the repository's image, each stopped by SIGTERM with time to close", () => {
    expect(Object.keys(servers).sort()).toEqual(['norte', 'region', 'sur']);
    for (const s of [...Object.values(servers), compose.services['region-ui']!]) {
      expect(s).toMatchObject({ image: 'opsroom:local', build: { context: '../..' }, command: ['start'], init: true });
      expect(s.stop_grace_period).toBe('30s');
      // every variable the server reads is one it knows
      const known = new Set<string>(OPTIONS.map((o) => o.env));
      for (const name of Object.keys(s.environment))
        expect({ name, known: known.has(name) }).toEqual({ name, known: true });
      for (const p of s.ports) expect(p).toMatch(/^\$\{OPSROOM_(HTTP|MQTT)_BIND:-127\.0\.0\.1\}:\d+:\d+$/);
    }
  });

  it('links each council to the region with its own secret from .env, never in a URL, and the region with none', () => {
    const { region, norte, sur } = servers as Record<string, Service>;
    expect(region!.environment.OPSROOM_SERVER_ID).toBe('region');
    expect(region!.environment.OPSROOM_UPLINK_URL).toBeUndefined();
    for (const [s, id] of [
      [norte!, 'norte'],
      [sur!, 'sur'],
    ] as const) {
      expect(s.environment.OPSROOM_SERVER_ID).toBe(id);
      expect(s.environment.OPSROOM_UPLINK_URL).toBe(`mqtt://region:${region!.environment.OPSROOM_MQTT_PORT}`);
      const secretVar = `OPSROOM_UPLINK_SECRET_${id.toUpperCase()}`;
      expect(s.environment.OPSROOM_UPLINK_SECRET).toBe(`\${${secretVar}:?set it in .env}`);
      expect(envExample).toMatch(new RegExp(`^${secretVar}=$`, 'm'));
    }
    const hostPorts = Object.values(compose.services).flatMap((s) => (s.ports ?? []).map((p) => p.split(':').at(-2)));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('gives every server the same model file, read-only; the example, filled in, owns the tree with these ids', async () => {
    for (const s of Object.values(servers))
      expect(s.volumes).toContainEqual(expect.objectContaining({ target: '/config/model.yaml', read_only: true }));
    expect(example).not.toMatch(/scrypt\$\d/);
    let filled = '';
    for (const line of example.split('\n'))
      filled += line.replace('"<hash>"', `"${await hashSecretAsync('example-secret')}"`) + '\n';
    const file = join(tmp, 'model.yaml');
    writeFileSync(file, filled);
    const model = await loadModelFile(file);
    expect(model.servers!.map((s) => s.id).sort()).toEqual(Object.keys(servers).sort());
    for (const id of ['norte', 'sur']) {
      expect(ownership(model, id).parent).toBe('region');
      expect(model.servers!.find((s) => s.id === id)!.secretHash).toMatch(/^scrypt\$/);
    }
  });

  it('runs, in the replicas profile only, a UI replica of the region and the Redis they share (issue 19 point 4)', () => {
    const { redis, 'region-ui': ui, region } = compose.services;
    expect([redis!.profiles, ui!.profiles]).toEqual([['replicas'], ['replicas']]);
    expect(ui!.environment).toMatchObject({
      OPSROOM_REPLICA_OF: `http://region:${region!.environment.OPSROOM_HTTP_PORT}`,
      OPSROOM_REDIS_URL: 'redis://redis:6379',
    });
    expect(ui!.volumes ?? []).toEqual([]); // no model, store or state of its own
    expect(ui!.depends_on).toEqual(['region', 'redis']);
    expect(redis!.ports ?? []).toEqual([]); // Redis stays inside the compose network
    // without the profile the region publishes nowhere: an empty variable is no setting
    expect(region!.environment.OPSROOM_REDIS_URL).toBe('${OPSROOM_REDIS_URL:-}');
    expect(envExample).toMatch(/^OPSROOM_REDIS_URL=$/m);
  });
});
