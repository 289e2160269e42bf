import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from './config.js';
import { DEFAULTS } from './defaults.js';

describe('resolveConfig', () => {
  it('uses the defaults when nothing is set', () => {
    const c = resolveConfig({}, {});
    expect(c.httpPort).toBe(DEFAULTS.httpPort);
    expect(c.store).toBe('embedded');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lets env vars override defaults and flags override env vars', () => {
    const c = resolveConfig({ 'http-port': '9001' }, { OPSROOM_HTTP_PORT: '9000', OPSROOM_MQTT_PORT: '0' });
    expect(c.httpPort).toBe(9001);
    expect(c.mqttPort).toBe(0);
  });

  it('refuses a bad port naming the flag or variable at fault', () => {
    expect(() => resolveConfig({ 'http-port': 'eighty' }, {})).toThrow(/--http-port must be a port/);
    expect(() => resolveConfig({}, { OPSROOM_MQTT_PORT: '70000' })).toThrow(/OPSROOM_MQTT_PORT must be a port/);
  });

  it('refuses an unknown store and a non-MQTT broker URL', () => {
    expect(() => resolveConfig({ store: 'postgres' }, {})).toThrow(/embedded, memory, influxdb or victoriametrics/);
    expect(() => resolveConfig({ 'broker-url': 'http://x' }, {})).toThrow(/mqtt:\/\//);
  });

  it('writes the embedded store on the event loop unless told to use a worker thread, and refuses anything else', () => {
    expect(resolveConfig({}, {}).storeWriter).toBe('main');
    expect(resolveConfig({}, { OPSROOM_STORE_WRITER: 'thread' }).storeWriter).toBe('thread');
    expect(resolveConfig({ 'store-writer': 'main' }, { OPSROOM_STORE_WRITER: 'thread' }).storeWriter).toBe('main');
    expect(() => resolveConfig({ 'store-writer': 'worker' }, {})).toThrow(/--store-writer must be main or thread/);
  });

  it('takes the VictoriaMetrics store with its URL from --vm-url or OPSROOM_VM_URL, and refuses a URL that is not http(s)', () => {
    expect(resolveConfig({ store: 'victoriametrics' }, {}).vm.url).toBe('http://127.0.0.1:8428');
    const c = resolveConfig({}, { OPSROOM_STORE: 'victoriametrics', OPSROOM_VM_URL: 'http://vm:8428' });
    expect([c.store, c.vm.url]).toEqual(['victoriametrics', 'http://vm:8428']);
    expect(resolveConfig({ 'vm-url': 'https://vm.example' }, { OPSROOM_VM_URL: 'http://vm:8428' }).vm.url).toBe('https://vm.example');
    expect(() => resolveConfig({ 'vm-url': 'vm:8428' }, {})).toThrow(/--vm-url must be an http:\/\/ or https:\/\/ URL/);
  });

  it('requires a token for the influxdb store', () => {
    expect(() => resolveConfig({ store: 'influxdb' }, {})).toThrow(/OPSROOM_INFLUX_TOKEN/);
    expect(resolveConfig({ store: 'influxdb' }, { OPSROOM_INFLUX_TOKEN: 't' }).influx.token).toBe('t');
  });

  it('takes the broker user name and password as separate settings, and refuses either set twice', () => {
    const c = resolveConfig({ 'broker-url': 'mqtt://mosquitto:1883' }, { OPSROOM_BROKER_USERNAME: 'opsroom-server', OPSROOM_BROKER_PASSWORD: 'p:w@d/#' });
    expect(c).toMatchObject({ brokerUrl: 'mqtt://mosquitto:1883', brokerUsername: 'opsroom-server', brokerPassword: 'p:w@d/#' });
    expect(() => resolveConfig({ 'broker-url': 'mqtt://opsroom-server:pw@mosquitto:1883' }, { OPSROOM_BROKER_PASSWORD: 'pw' })).toThrow(/password is set twice.*OPSROOM_BROKER_PASSWORD/);
    expect(() => resolveConfig({ 'broker-url': 'mqtt://opsroom-server@mosquitto:1883', 'broker-username': 'x' }, {})).toThrow(/user name is set twice/);
    expect(resolveConfig({ 'broker-url': 'mqtt://opsroom-server@mosquitto:1883' }, { OPSROOM_BROKER_PASSWORD: 'pw' }).brokerPassword).toBe('pw');
    expect(() => resolveConfig({ 'broker-url': 'mqtt://u:50%@mosquitto:1883' }, {})).toThrow(/bad %-escape/);
  });
});
