import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AGENT_DEFAULTS,
  AgentConfigError,
  loadAgentConfig,
  parseAgentConfig,
  resolveAgentConfig,
} from './agent-config.js';
import { DEMO_WORKSHOP_METRICS } from '../sources/simulated-workshop.js';
import { fnv1a } from '../sources/prng.js';

const MINIMAL = 'deviceId: taller-1-plc\nsecret: s3cret\nbrokerUrl: mqtt://127.0.0.1:1883\n';

function errorOf(fn: () => unknown): AgentConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AgentConfigError) return err;
    throw err;
  }
  throw new Error('expected an AgentConfigError');
}

describe('parseAgentConfig', () => {
  it('fills every default from a minimal file, with the demo metrics and a seed derived from the device id', () => {
    const c = parseAgentConfig(MINIMAL, 'agent.yaml');
    expect(c).toMatchObject({
      deviceId: 'taller-1-plc',
      secret: 's3cret',
      brokerUrl: 'mqtt://127.0.0.1:1883',
      ...AGENT_DEFAULTS,
    });
    expect(c.bufferDir).toBeUndefined();
    expect(c.sources).toHaveLength(1);
    expect(c.sources[0]).toMatchObject({
      kind: 'simulated',
      name: 'simulated-0',
      intervalMs: AGENT_DEFAULTS.sampleIntervalMs,
      seed: fnv1a('taller-1-plc'),
      metrics: DEMO_WORKSHOP_METRICS,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('parses the example configuration', () => {
    const text = readFileSync(new URL('../../examples/agent.yaml', import.meta.url), 'utf8');
    const c = parseAgentConfig(text, 'examples/agent.yaml');
    expect(c.deviceId).toBe('taller-1-plc');
    expect(c.bufferDir).toBe('./data');
    const sim = c.sources.find((s) => s.kind === 'simulated');
    if (sim?.kind !== 'simulated') throw new Error('the example has a simulated source');
    expect(Object.keys(sim.metrics)).toEqual(['output', 'energy', 'water', 'labour', 'defect_rate', 'temperature']);
    expect(sim.metrics.defect_rate).toEqual({ base: 2.5, noise: 0.3, daily: 0.4, weekly: 0.2, min: 0, max: 100 });
  });

  it('defaults noise and cycles of a metric to zero', () => {
    const c = parseAgentConfig(MINIMAL + 'source:\n  metrics:\n    output: { base: 10 }\n', 'a.yaml');
    expect(c.sources[0]).toMatchObject({ metrics: { output: { base: 10, noise: 0, daily: 0, weekly: 0 } } });
  });

  it('names the file, line and field of a bad value', () => {
    const e = errorOf(() => parseAgentConfig(MINIMAL + 'sampleIntervalMs: fast\n', 'agent.yaml'));
    expect(e.message).toBe('agent.yaml:4: sampleIntervalMs: must be an integer >= 1 (ms), got "fast"');
    expect(e.field).toBe('sampleIntervalMs');
    expect(e.line).toBe(4);
  });

  it('names nested fields by their dotted path', () => {
    const text = MINIMAL + 'source:\n  kind: simulated\n  metrics:\n    output:\n      base: 1\n      noise: -2\n';
    const e = errorOf(() => parseAgentConfig(text, 'a.yaml'));
    expect(e.field).toBe('source.metrics.output.noise');
    expect(e.line).toBe(9);
    expect(e.message).toMatch(/must be a number >= 0, got -2/);
  });

  it('refuses unknown fields, listing the known ones', () => {
    expect(errorOf(() => parseAgentConfig(MINIMAL + 'sampleInterval: 5\n', 'a.yaml')).message).toMatch(
      /a\.yaml:4: sampleInterval: unknown field; expected one of deviceId, secret/,
    );
    expect(
      errorOf(() => parseAgentConfig(MINIMAL + 'source:\n  metrics:\n    m: { base: 1, jitter: 2 }\n', 'a.yaml')).field,
    ).toBe('source.metrics.m.jitter');
  });

  it('requires deviceId, secret and brokerUrl', () => {
    expect(errorOf(() => parseAgentConfig('secret: x\nbrokerUrl: mqtt://h\n', 'a.yaml')).message).toMatch(
      /deviceId: must be a non-empty string, got nothing/,
    );
    expect(errorOf(() => parseAgentConfig('deviceId: d\nbrokerUrl: mqtt://h\n', 'a.yaml')).field).toBe('secret');
    expect(errorOf(() => parseAgentConfig('deviceId: d\nsecret: x\n', 'a.yaml')).field).toBe('brokerUrl');
  });

  it('checks the device id, broker URL and source kind', () => {
    expect(errorOf(() => parseAgentConfig(MINIMAL.replace('taller-1-plc', 'a/b'), 'a.yaml')).message).toMatch(
      /deviceId: "a\/b" is not a device id/,
    );
    expect(errorOf(() => parseAgentConfig(MINIMAL.replace('mqtt://', 'http://'), 'a.yaml')).message).toMatch(
      /brokerUrl: must start with mqtt:\/\/, mqtts:\/\/, ws:\/\/ or wss:\/\/, got http:/,
    );
    expect(
      errorOf(() => parseAgentConfig(MINIMAL.replace('mqtt://127.0.0.1:1883', 'localhost'), 'a.yaml')).message,
    ).toMatch(/is not a URL; write e\.g\. mqtt:\/\/localhost:1883/);
    expect(errorOf(() => parseAgentConfig(MINIMAL + 'source:\n  kind: modbus-rtu\n', 'a.yaml')).message).toMatch(
      /source\.kind: must be one of "simulated", "csv", "command", "http", "host", "modbus", got "modbus-rtu"/,
    );
    expect(errorOf(() => parseAgentConfig(MINIMAL + 'batchMax: 5000\n', 'a.yaml')).message).toMatch(
      /batchMax: must be an integer >= 1 and <= 2000/,
    );
    expect(
      errorOf(() => parseAgentConfig(MINIMAL + 'source:\n  metrics:\n    m: { base: 1, min: 5, max: 2 }\n', 'a.yaml'))
        .field,
    ).toBe('source.metrics.m.max');
    expect(errorOf(() => parseAgentConfig(MINIMAL + 'source:\n  metrics: {}\n', 'a.yaml')).field).toBe(
      'source.metrics',
    );
    expect(
      errorOf(() => parseAgentConfig(MINIMAL + 'source:\n  metrics:\n    9x: { base: 1 }\n', 'a.yaml')).field,
    ).toBe('source.metrics.9x');
  });

  it('reports YAML syntax errors with their line', () => {
    const e = errorOf(() => parseAgentConfig(MINIMAL + 'source: [unclosed\n', 'a.yaml'));
    expect(e.message).toMatch(/^a\.yaml:\d+: not valid YAML/);
  });

  it('refuses a document that is not a mapping', () => {
    expect(errorOf(() => parseAgentConfig('- a\n- b\n', 'a.yaml')).message).toMatch(
      /must be a mapping of fields, got a list/,
    );
  });
});

describe('resolveAgentConfig', () => {
  it('accepts a partial object, as startAgent callers pass it', () => {
    const c = resolveAgentConfig({
      deviceId: 'd1',
      secret: 's',
      brokerUrl: 'ws://h:8080/mqtt',
      sampleIntervalMs: 20,
      source: { seed: 7 },
    });
    expect(c.sampleIntervalMs).toBe(20);
    expect(c.sources[0]).toMatchObject({ kind: 'simulated', seed: 7 });
    expect(c.batchMax).toBe(AGENT_DEFAULTS.batchMax);
  });

  it('throws an AgentConfigError naming the field, without a file', () => {
    expect(() =>
      resolveAgentConfig({ deviceId: 'd1', secret: 's', brokerUrl: 'mqtt://h', bufferMaxReadings: 0 }),
    ).toThrow('bufferMaxReadings: must be an integer >= 1 (readings), got 0');
  });
});

describe('loadAgentConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-agent-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves a relative bufferDir against the file directory', () => {
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, MINIMAL + 'bufferDir: ./buf\n');
    expect(loadAgentConfig(file).bufferDir).toBe(join(dir, 'buf'));
  });

  it('says what to do when the file is missing', () => {
    expect(() => loadAgentConfig(join(dir, 'nope.yaml'))).toThrow(
      /cannot read the configuration file: ENOENT\. Pass an existing file with --config/,
    );
  });
});

describe('sources and TLS', () => {
  it('parses the example with every source kind, with paths taken from its directory', () => {
    const c = loadAgentConfig(new URL('../../examples/all-sources.yaml', import.meta.url).pathname);
    expect(c.sources.map((s) => `${s.name}:${s.kind}`)).toEqual([
      'sim:simulated',
      'replay:csv',
      'cpu-temp:command',
      'meter:http',
      'host:host',
      'plc:modbus',
    ]);
    expect(c.tls).toEqual({
      ca: new URL('../../examples/certs/ca.pem', import.meta.url).pathname,
      rejectUnauthorized: true,
    });
    expect(c.sources[1]).toMatchObject({
      kind: 'csv',
      speed: 60,
      file: new URL('../../examples/recordings/line2.csv', import.meta.url).pathname,
    });
    expect(c.sources[2]).toMatchObject({ intervalMs: 30000, timeoutMs: 5000, prefix: 'pi_' });
    expect(c.sources[5]).toMatchObject({
      port: 502,
      unitId: 1,
      registers: [
        {
          metric: 'temperature',
          table: 'holding',
          address: 0,
          type: 'uint16',
          wordOrder: 'big',
          scale: 0.1,
          offset: 0,
        },
        expect.anything(),
        expect.anything(),
      ],
    });
  });

  it('names the field at fault inside a source list', () => {
    const src = (yaml: string) => errorOf(() => parseAgentConfig(MINIMAL + 'sources:\n' + yaml, 'a.yaml'));
    expect(src('  - kind: http\n    url: ftp://x\n    metrics: { a: a }\n').field).toBe('sources.0.url');
    expect(src('  - kind: http\n    url: http://x\n    metrics: { a: "a[x]" }\n').field).toBe('sources.0.metrics.a');
    expect(
      src('  - kind: modbus\n    host: h\n    registers:\n      - { metric: t, address: 70000 }\n').message,
    ).toMatch(/a\.yaml:8: sources\.0\.registers\.0\.address: must be an integer >= 0 and <= 65535, got 70000/);
    expect(src('  - kind: modbus\n    host: h\n    registers: []\n').field).toBe('sources.0.registers');
    expect(src('  - kind: csv\n    file: x.csv\n    loop: true\n    timestamps: original\n').field).toBe(
      'sources.0.loop',
    );
    expect(src('  - kind: command\n    command: []\n').field).toBe('sources.0.command');
    expect(src('  - kind: host\n    url: http://x\n').message).toMatch(
      /sources\.0\.url: unknown field; expected one of kind, name, intervalMs, prefix, disks/,
    );
    expect(src('  - { kind: host, name: a }\n  - { kind: host, name: a }\n').field).toBe('sources.1.name');
    expect(src('  []\n').field).toBe('sources');
    expect(errorOf(() => parseAgentConfig(MINIMAL + 'source: {}\nsources: [{}]\n', 'a.yaml')).field).toBe('sources');
  });

  it('takes TLS files only for mqtts:// and wss://, and a client certificate only with its key', () => {
    expect(errorOf(() => parseAgentConfig(MINIMAL + 'tls: { ca: ca.pem }\n', 'a.yaml')).message).toMatch(
      /tls: is only used with mqtts:\/\/ or wss:\/\/ brokers/,
    );
    const tlsBase = MINIMAL.replace('mqtt://', 'mqtts://');
    expect(errorOf(() => parseAgentConfig(tlsBase + 'tls: { cert: c.pem }\n', 'a.yaml')).field).toBe('tls.key');
    expect(parseAgentConfig(tlsBase + 'tls: { ca: ca.pem, rejectUnauthorized: false }\n', 'a.yaml').tls).toEqual({
      ca: 'ca.pem',
      rejectUnauthorized: false,
    });
    expect(
      parseAgentConfig(MINIMAL.replace('mqtt://127.0.0.1:1883', 'ws://127.0.0.1:8080/mqtt'), 'a.yaml').brokerUrl,
    ).toBe('ws://127.0.0.1:8080/mqtt');
  });
});
