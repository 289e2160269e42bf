import { describe, expect, it } from '@jest/globals';
import { AgentConfigError, resolveAgentConfig } from '../config/agent-config.js';
import { openSource, SOURCE_KINDS, SOURCE_REGISTRY } from './source-kinds.js';

const base = { deviceId: 'unit-1', secret: 's', brokerUrl: 'mqtt://127.0.0.1:1883' };

describe('the source kind registry', () => {
  it('is the one list the configuration accepts, each kind with its own fields', () => {
    expect(SOURCE_KINDS).toEqual(['simulated', 'csv', 'command', 'http', 'host', 'modbus']);
    for (const kind of SOURCE_KINDS) {
      const d = SOURCE_REGISTRY[kind];
      expect(d.kind).toBe(kind);
      expect(new Set(d.fields).size).toBe(d.fields.length);
      expect(d.fields).not.toContain('kind');
    }
    let err: unknown;
    try {
      resolveAgentConfig({ ...base, source: { kind: 'opcua' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AgentConfigError);
    expect((err as Error).message).toContain(SOURCE_KINDS.map((k) => JSON.stringify(k)).join(', '));
  });

  it("refuses a field of another kind, naming this kind's fields", () => {
    expect(() => resolveAgentConfig({ ...base, source: { kind: 'host', url: 'http://x' } })).toThrow(
      /source\.url: unknown field; expected one of kind, name, intervalMs, prefix, disks/,
    );
  });

  it('checks and opens a source through its descriptor', async () => {
    const config = resolveAgentConfig({
      ...base,
      sources: [
        { kind: 'simulated', seed: 7 },
        { kind: 'host', prefix: 'h_' },
      ],
    });
    expect(config.sources.map((s) => [s.kind, s.name])).toEqual([
      ['simulated', 'simulated-0'],
      ['host', 'host-1'],
    ]);
    const source = await openSource(config.sources[0]!, { deviceId: 'unit-1' });
    expect(source.id).toContain('unit-1');
    const readings = await source.sample(Date.UTC(2026, 11, 5));
    expect(readings.length).toBeGreaterThan(0);
    expect(readings.every((r) => Number.isFinite(r.value))).toBe(true);
  });
});
