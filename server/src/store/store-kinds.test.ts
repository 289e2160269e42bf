import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../config/config.js';
import { isStoreKind, STORE_KINDS, STORE_REGISTRY, storeKindList } from './store-kinds.js';

describe('the store kind registry', () => {
  it('is the one list config accepts and --help shows', () => {
    expect(STORE_KINDS).toEqual(['embedded', 'memory', 'influxdb', 'victoriametrics']);
    for (const kind of STORE_KINDS) expect(isStoreKind(kind)).toBe(true);
    expect(isStoreKind('postgres')).toBe(false);
    expect(isStoreKind('toString')).toBe(false);
    expect(() => resolveConfig({ store: 'postgres' }, {})).toThrow(`must be ${storeKindList()}`);
    expect(resolveConfig({ store: 'memory' }, {}).store).toBe('memory');
  });

  it('names the missing field and what it is, per kind', () => {
    for (const kind of STORE_KINDS) {
      const d = STORE_REGISTRY[kind];
      expect(d.kind).toBe(kind);
      expect(d.summary.length).toBeGreaterThan(10);
      for (const [field, help] of Object.entries(d.fields)) {
        expect(() => d.parse({ kind })).toThrow(new RegExp(`needs .*${field}|needs \`${Object.keys(d.fields)[0]}\``));
        expect(help.length).toBeGreaterThan(5);
      }
    }
    expect(() =>
      STORE_REGISTRY.influxdb.parse({ kind: 'influxdb', url: 'ftp://x', org: 'o', bucket: 'b', token: 't' }),
    ).toThrow(/http:\/\/ or https:\/\//);
    expect(STORE_REGISTRY.victoriametrics.parse({ kind: 'victoriametrics', url: 'http://127.0.0.1:8428' })).toEqual({
      kind: 'victoriametrics',
      url: 'http://127.0.0.1:8428',
    });
    const vm = { kind: 'victoriametrics', url: 'http://127.0.0.1:8428' };
    expect(STORE_REGISTRY.victoriametrics.parse({ ...vm, username: 'u', password: 'p' })).toMatchObject({
      username: 'u',
      password: 'p',
    });
    expect(() => STORE_REGISTRY.victoriametrics.parse({ ...vm, username: 'u' })).toThrow(/go together/);
  });

  it('opens a working store from a parsed configuration', async () => {
    const store = STORE_REGISTRY.memory.open(STORE_REGISTRY.memory.parse({ kind: 'memory' }), {});
    await store.writeBatch([{ node: 'n', metric: 'm', deviceId: 'd', ts: 1, value: 2 }]);
    expect((await store.query({ node: 'n', metric: 'm', from: 0, to: 2 })).map((p) => p.value)).toEqual([2]);
    await store.close();
  });
});
