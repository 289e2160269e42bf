import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { OPTIONS } from '../../src/config/config.js';
import { hashSecretAsync } from '../../src/auth/hash.js';
import { runBrokerConfig, PASSWORD_FILE } from '../../src/broker/mosquitto-config.js';
import { loadModelFile, ModelFileError } from '../../src/model/index.js';
import { REPO_ROOT } from '../support/demo-fixture.js';
import { dockerfileStage, dockerignoreRules, execForm, isIgnored } from '../support/docker-files.js';

/**
 * No Docker engine runs here, so the real stack's definition is checked as data: services, images,
 * health checks, profiles, published ports, the image's command and build context, and that every
 * variable the server needs is set, secrets only from .env and never inside a URL.
 * image-sigterm.test.ts runs the image's command itself.
 */
interface Service {
  image?: string;
  build?: unknown;
  profiles?: string[];
  entrypoint?: string[] | string;
  command?: string[] | string;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: Array<
    | string
    | { type: string; source: string; target: string; read_only?: boolean; bind?: { create_host_path?: boolean } }
  >;
  secrets?: string[];
  user?: string;
  init?: boolean;
  stop_grace_period?: string;
}

const composeText = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, Service>;
  secrets: Record<string, { file?: string }>;
};
const services = compose.services;
const production = Object.entries(services).filter(([, s]) => !s.profiles);
const envExample = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8');
const envExampleValues = new Map([...envExample.matchAll(/^([A-Z_][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const runtime = dockerfileStage(dockerfile, 'runtime');
const commandOf = (s: Service) => ([] as string[]).concat(s.command ?? []).join(' ');

describe('docker-compose.yml', () => {
  it('runs Mosquitto, InfluxDB 2 and the server by default, and the demo only in its own profile', () => {
    expect(production.map(([name]) => name).sort()).toEqual(['broker-config', 'influxdb', 'mosquitto', 'opsroom']);
    expect(services.demo).toMatchObject({ profiles: ['demo'], command: ['demo'] });
    expect(
      Object.entries(services)
        .filter(([, s]) => s.profiles)
        .map(([name]) => name),
    ).toEqual(['demo']);
    expect(services.mosquitto!.image).toMatch(/^eclipse-mosquitto:2/);
    expect(services.influxdb!.image).toMatch(/^influxdb:2\./);
    for (const s of ['opsroom', 'broker-config', 'demo']) expect(services[s]!.build).toBe('.');
  });

  it("runs the operator's model and device secrets, never the examples or their public demo credentials", () => {
    for (const [name, s] of production) {
      expect({ name, text: JSON.stringify(s) }).not.toEqual({
        name,
        text: expect.stringMatching(/examples\/|demo-credentials|\bdemo\b/),
      });
    }
    const modelMount = {
      type: 'bind',
      source: '${OPSROOM_MODEL_FILE:-./deploy/model.yaml}',
      target: '/config/model.yaml',
      read_only: true,
      bind: { create_host_path: false },
    };
    for (const s of ['opsroom', 'broker-config']) expect(services[s]!.volumes).toContainEqual(modelMount);
    expect(services.opsroom!.environment!.OPSROOM_MODEL).toBe('/config/model.yaml');
    expect(commandOf(services['broker-config']!)).toMatch(
      /opsroom\.js broker-config --model \/config\/model\.yaml --secrets \/run\/secrets\/device-secrets /,
    );
    expect(services['broker-config']!.secrets).toEqual(['device-secrets']);
    expect(compose.secrets['device-secrets']).toEqual({
      file: '${OPSROOM_DEVICE_SECRETS_FILE:-./deploy/device-secrets.json}',
    });
    expect(readFileSync(join(REPO_ROOT, '.gitignore'), 'utf8')).toMatch(
      /^deploy\/model\.yaml$[\s\S]*^deploy\/device-secrets\.json$/m,
    );
  });

  it('publishes every port on 127.0.0.1 unless the operator sets its bind address in .env', () => {
    const published = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(published.length).toBeGreaterThanOrEqual(4);
    for (const p of published) {
      const m = /^\$\{([A-Z_]+):-127\.0\.0\.1\}:(\d+):(\d+)$/.exec(p);
      expect({ p, bound: Boolean(m) }).toEqual({ p, bound: true });
      expect({ v: m![1], example: envExampleValues.get(m![1]!) }).toEqual({ v: m![1], example: '127.0.0.1' });
    }
  });

  it("generates Mosquitto's password file and ACL from the model with opsroom broker-config", () => {
    expect(services.mosquitto!.depends_on!['broker-config']!.condition).toBe('service_completed_successfully');
    const conf = readFileSync(join(REPO_ROOT, 'deploy/mosquitto/mosquitto.conf'), 'utf8');
    expect(conf).toMatch(/^allow_anonymous false$/m);
    expect(conf).toMatch(/^password_file \/mosquitto\/config\/passwd$/m);
    expect(conf).toMatch(/^acl_file \/mosquitto\/config\/acl$/m);
    // docs/measurements.md: the defaults drop messages silently when a subscriber falls behind.
    expect(conf).toMatch(/^max_queued_messages 0$/m);
    expect(conf).toMatch(/^max_inflight_messages 0$/m);
    // The server's account on Mosquitto is the one it connects as.
    expect(services['broker-config']!.environment!.OPSROOM_BROKER_USERNAME).toBe(
      services.opsroom!.environment!.OPSROOM_BROKER_USERNAME,
    );
    expect(commandOf(services['broker-config']!)).toContain('--service-user "$$OPSROOM_BROKER_USERNAME"');
  });

  it('initialises InfluxDB through its DOCKER_INFLUXDB_INIT_* settings', () => {
    const env = services.influxdb!.environment!;
    for (const k of ['MODE', 'USERNAME', 'PASSWORD', 'ORG', 'BUCKET', 'ADMIN_TOKEN'])
      expect(env[`DOCKER_INFLUXDB_INIT_${k}`]).toBeTruthy();
    expect(env.DOCKER_INFLUXDB_INIT_ORG).toBe(services.opsroom!.environment!.OPSROOM_INFLUX_ORG);
    expect(env.DOCKER_INFLUXDB_INIT_BUCKET).toBe(services.opsroom!.environment!.OPSROOM_INFLUX_BUCKET);
    expect(env.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN).toBe(services.opsroom!.environment!.OPSROOM_INFLUX_TOKEN);
  });

  it('has health checks, and starts the server only once broker and store are healthy', () => {
    for (const s of ['mosquitto', 'influxdb', 'opsroom']) expect(services[s]!.healthcheck?.test).toBeDefined();
    expect(services.opsroom!.depends_on).toEqual({
      mosquitto: { condition: 'service_healthy' },
      influxdb: { condition: 'service_healthy' },
    });
  });

  it('sets every environment variable the server reads for the external broker and InfluxDB, with names it knows', () => {
    const env = services.opsroom!.environment!;
    const known = new Set<string>(OPTIONS.map((o) => o.env));
    for (const k of Object.keys(env)) expect({ k, known: known.has(k) }).toEqual({ k, known: true });
    for (const k of [
      'OPSROOM_BROKER_URL',
      'OPSROOM_BROKER_USERNAME',
      'OPSROOM_BROKER_PASSWORD',
      'OPSROOM_STORE',
      'OPSROOM_INFLUX_URL',
      'OPSROOM_INFLUX_ORG',
      'OPSROOM_INFLUX_BUCKET',
      'OPSROOM_INFLUX_TOKEN',
      'OPSROOM_MODEL',
      'OPSROOM_DATA_DIR',
    ]) {
      expect({ k, set: Boolean(env[k]) }).toEqual({ k, set: true });
    }
    expect(env.OPSROOM_STORE).toBe('influxdb');
  });

  it('passes every secret as a variable of its own, never interpolated into a URL', () => {
    const env = services.opsroom!.environment!;
    expect(env.OPSROOM_BROKER_URL).toBe('mqtt://mosquitto:1883');
    expect(env.OPSROOM_BROKER_PASSWORD).toBe('${OPSROOM_BROKER_PASSWORD:?set it in .env}');
    for (const [name, s] of Object.entries(services)) {
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (!/:\/\//.test(v)) continue;
        expect({ name, k, v, credentials: /\$\{|@/.test(v) }).toEqual({ name, k, v, credentials: false });
      }
    }
    expect(composeText).not.toMatch(/:\/\/[^\s"']*\$\{/);
  });

  it('takes every secret from .env, and .env.example lists each variable with no secret in it', () => {
    const vars = new Set([...composeText.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!));
    expect(vars.size).toBeGreaterThan(0);
    for (const v of vars) expect({ v, listed: envExampleValues.has(v) }).toEqual({ v, listed: true });
    const required = new Set([...composeText.matchAll(/\$\{([A-Z_][A-Z0-9_]*):\?/g)].map((m) => m[1]!));
    expect([...required].sort()).toEqual([
      'INFLUXDB_ADMIN_PASSWORD',
      'OPSROOM_BROKER_PASSWORD',
      'OPSROOM_INFLUX_TOKEN',
    ]);
    // A secret left empty stops compose; a value shipped in the example would run in production.
    for (const v of required) expect({ v, example: envExampleValues.get(v) }).toEqual({ v, example: '' });
    for (const [k, v] of envExampleValues) if (/(PASSWORD|TOKEN)$/.test(k)) expect({ k, v }).toEqual({ k, v: '' });
    expect(composeText).not.toMatch(/(PASSWORD|TOKEN): (?!\$\{)\S/); // no literal secret in the file
  });

  it("runs the server as node itself with the image's command, an init, and time to shut down", () => {
    for (const s of ['opsroom', 'demo']) {
      const svc = services[s]!;
      expect(svc.entrypoint).toBeUndefined(); // the image's ENTRYPOINT: node
      expect(Array.isArray(svc.command)).toBe(true); // exec form: no shell in between
      expect(commandOf(svc)).not.toMatch(/\bnpx\b|\bsh\b/);
      expect(svc.init).toBe(true);
      expect(svc.stop_grace_period).toMatch(/^\d+s$/);
    }
    expect(services.opsroom!.command).toEqual(['start']);
  });
});

describe('Dockerfile', () => {
  it('builds in stages and runs as a non-root user with a health check', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
  });

  it('starts the server as node in exec form (PID 1 gets SIGTERM directly), not through npx or a shell', () => {
    const entrypoint = execForm(runtime, 'ENTRYPOINT');
    const cmd = execForm(runtime, 'CMD');
    expect(entrypoint).toEqual(['node', 'server/bin/opsroom.js']);
    expect(cmd).toEqual(['start']);
    expect(existsSync(join(REPO_ROOT, entrypoint[1]!))).toBe(true);
    expect(runtime.replace(/^#.*$/gm, '')).not.toMatch(/\bnpx\b/);
    expect(runtime).toMatch(/^STOPSIGNAL SIGTERM$/m);
    // The app is root's: the node user can write only /data.
    expect(runtime).not.toMatch(/--chown=node/);
  });
});

describe('.dockerignore', () => {
  const rules = dockerignoreRules(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'));

  it("keeps secrets, the operator's files, native modules, build output and local data out of the image", () => {
    for (const path of [
      '.env',
      '.env.production',
      '.git/config',
      'node_modules/better-sqlite3/build/Release/x.node',
      'server/node_modules/x/index.js',
      'opsroom-ui/dist/index.html',
      'edge-agent/dist/opsroom-agent.cjs',
      '.opsroom-data/opsroom.db',
      'server/.opsroom-data/opsroom.db',
      'deploy/model.yaml',
      'deploy/device-secrets.json',
      'deploy/federation/.env',
      'deploy/federation/model.yaml',
      'server/tsconfig.tsbuildinfo',
      'tls/server.key',
    ]) {
      expect({ path, ignored: isIgnored(rules, path) }).toEqual({ path, ignored: true });
    }
  });

  it('keeps what the build and the broker-config service need', () => {
    for (const path of [
      'package.json',
      'package-lock.json',
      '.env.example',
      'server/bin/opsroom.js',
      'server/src/start.ts',
      'models/examples/valle.yaml',
      'opsroom-ui/index.html',
      'deploy/mosquitto/mosquitto.conf',
      'deploy/model.example.yaml',
    ]) {
      expect({ path, ignored: isIgnored(rules, path) }).toEqual({ path, ignored: false });
    }
  });
});

describe('deploy/model.example.yaml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-model-example-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const example = readFileSync(join(REPO_ROOT, 'deploy/model.example.yaml'), 'utf8');

  it('holds no hash, only placeholders, and is refused until each one is replaced', async () => {
    expect(example).not.toMatch(/scrypt\$\d/);
    const file = join(dir, 'as-shipped.yaml');
    writeFileSync(file, example);
    const refused = await loadModelFile(file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ModelFileError);
    const fields = (refused as ModelFileError).problems.map((p) => p.path);
    const placeholders = example.match(/_hash: "<hash>"$/gm)!.length;
    expect(fields.filter((f) => /(secret|password)_hash$/.test(f))).toHaveLength(placeholders);
  });

  it("once filled in as its instructions say, is a valid model that broker-config turns into Mosquitto's files", async () => {
    let n = 0;
    const secrets: Record<string, string> = {};
    let filled = '';
    let owner = '';
    for (const line of example.split('\n')) {
      owner = /- (?:id|name): (\S+)/.exec(line)?.[1] ?? owner;
      if (!line.includes('"<hash>"')) {
        filled += line + '\n';
        continue;
      }
      const secret = `secret-${++n}-with:@/#`;
      secrets[owner] = secret;
      filled += line.replace('"<hash>"', `"${await hashSecretAsync(secret)}"`) + '\n';
    }
    const modelFile = join(dir, 'model.yaml');
    writeFileSync(modelFile, filled);
    const model = await loadModelFile(modelFile);
    expect(model.users.size).toBeGreaterThan(0);

    const deviceSecrets = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/device-secrets.example.json'), 'utf8')) as {
      devices: Record<string, string>;
    };
    expect(Object.keys(deviceSecrets.devices).sort()).toEqual([...model.devices.keys()].sort());
    for (const id of Object.keys(deviceSecrets.devices)) deviceSecrets.devices[id] = secrets[id]!;
    const secretsFile = join(dir, 'device-secrets.json');
    writeFileSync(secretsFile, JSON.stringify(deviceSecrets));
    const lines: string[] = [];
    const code = await runBrokerConfig(
      {
        model: modelFile,
        secrets: secretsFile,
        outDir: join(dir, 'mosquitto'),
        env: { OPSROOM_BROKER_PASSWORD: 'p:w@d/#' },
        iterations: 1000,
      },
      (l) => lines.push(l),
    );
    expect({ code, lines }).toEqual({ code: 0, lines: expect.any(Array) });
    const users = readFileSync(join(dir, 'mosquitto', PASSWORD_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(':')[0]);
    expect(users.sort()).toEqual(['opsroom-server', ...model.devices.keys()].sort());
  }, 30_000);
});
