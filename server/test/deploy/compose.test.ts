import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { OPTIONS } from '../../src/config/config.js';
import { REPO_ROOT } from '../support/demo-fixture.js';

/**
 * No Docker engine runs here, so the real stack's definition is checked as data: services, images,
 * health checks, the broker config generated from the model, and that every environment variable
 * the server needs for the external broker and InfluxDB is set.
 */
interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  user?: string;
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const envExample = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8');
const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');

describe('docker-compose.yml', () => {
  it('runs Mosquitto, InfluxDB 2, the server and the simulated agents', () => {
    expect(Object.keys(services).sort()).toEqual(['agents', 'broker-config', 'influxdb', 'mosquitto', 'opsroom']);
    expect(services.mosquitto!.image).toMatch(/^eclipse-mosquitto:2/);
    expect(services.influxdb!.image).toMatch(/^influxdb:2\./);
    for (const s of ['opsroom', 'agents', 'broker-config']) expect(services[s]!.build).toBe('.');
  });

  it('generates Mosquitto\'s password file and ACL from the model with opsroom broker-config', () => {
    const cmd = ([] as string[]).concat(services['broker-config']!.command ?? []).join(' ');
    expect(cmd).toMatch(/opsroom broker-config --model \S+\.yaml/);
    expect(services.mosquitto!.depends_on!['broker-config']!.condition).toBe('service_completed_successfully');
    const conf = readFileSync(join(REPO_ROOT, 'deploy/mosquitto/mosquitto.conf'), 'utf8');
    expect(conf).toMatch(/^allow_anonymous false$/m);
    expect(conf).toMatch(/^password_file \/mosquitto\/config\/passwd$/m);
    expect(conf).toMatch(/^acl_file \/mosquitto\/config\/acl$/m);
    // PERF-NOTES: the defaults drop messages silently when a subscriber falls behind.
    expect(conf).toMatch(/^max_queued_messages 0$/m);
    expect(conf).toMatch(/^max_inflight_messages 0$/m);
  });

  it('initialises InfluxDB through its DOCKER_INFLUXDB_INIT_* settings', () => {
    const env = services.influxdb!.environment!;
    for (const k of ['MODE', 'USERNAME', 'PASSWORD', 'ORG', 'BUCKET', 'ADMIN_TOKEN']) expect(env[`DOCKER_INFLUXDB_INIT_${k}`]).toBeTruthy();
    expect(env.DOCKER_INFLUXDB_INIT_ORG).toBe(services.opsroom!.environment!.OPSROOM_INFLUX_ORG);
    expect(env.DOCKER_INFLUXDB_INIT_BUCKET).toBe(services.opsroom!.environment!.OPSROOM_INFLUX_BUCKET);
  });

  it('has health checks, and starts the server only once broker and store are healthy', () => {
    for (const s of ['mosquitto', 'influxdb', 'opsroom']) expect(services[s]!.healthcheck?.test).toBeDefined();
    expect(services.opsroom!.depends_on).toEqual({ mosquitto: { condition: 'service_healthy' }, influxdb: { condition: 'service_healthy' } });
  });

  it('sets every environment variable the server reads for the external broker and InfluxDB, with names it knows', () => {
    const env = services.opsroom!.environment!;
    const known = new Set<string>(OPTIONS.map((o) => o.env));
    for (const k of Object.keys(env)) expect({ k, known: known.has(k) }).toEqual({ k, known: true });
    for (const k of ['OPSROOM_BROKER_URL', 'OPSROOM_STORE', 'OPSROOM_INFLUX_URL', 'OPSROOM_INFLUX_ORG', 'OPSROOM_INFLUX_BUCKET', 'OPSROOM_INFLUX_TOKEN', 'OPSROOM_MODEL', 'OPSROOM_DATA_DIR']) {
      expect({ k, set: Boolean(env[k]) }).toEqual({ k, set: true });
    }
    expect(env.OPSROOM_STORE).toBe('influxdb');
    expect(env.OPSROOM_BROKER_URL).toMatch(/^mqtt:\/\/opsroom-server:\$\{OPSROOM_BROKER_PASSWORD\}@mosquitto:1883$/);
  });

  it('takes every secret from .env, and .env.example lists each one', () => {
    const text = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    const vars = new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!));
    expect(vars.size).toBeGreaterThan(0);
    for (const v of vars) expect({ v, listed: new RegExp(`^${v}=`, 'm').test(envExample) }).toEqual({ v, listed: true });
    expect(text).not.toMatch(/PASSWORD: (?!\$\{)\S/); // no literal password in the file
  });

  it('builds the server image in stages and runs it as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^FROM \S+ AS runtime$/m);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
  });
});
