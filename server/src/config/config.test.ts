import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDuration, parseDuration, resolveConfig } from './config.js';
import { DEFAULTS } from './defaults.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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
    expect(resolveConfig({ 'vm-url': 'https://vm.example' }, { OPSROOM_VM_URL: 'http://vm:8428' }).vm.url).toBe(
      'https://vm.example',
    );
    expect(() => resolveConfig({ 'vm-url': 'vm:8428' }, {})).toThrow(/--vm-url must be an http:\/\/ or https:\/\/ URL/);
  });

  it('requires a token for the influxdb store', () => {
    expect(() => resolveConfig({ store: 'influxdb' }, {})).toThrow(/OPSROOM_INFLUX_TOKEN/);
    expect(resolveConfig({ store: 'influxdb' }, { OPSROOM_INFLUX_TOKEN: 't' }).influx.token).toBe('t');
  });

  it('takes the broker user name and password as separate settings, and refuses either set twice', () => {
    const c = resolveConfig(
      { 'broker-url': 'mqtt://mosquitto:1883' },
      { OPSROOM_BROKER_USERNAME: 'opsroom-server', OPSROOM_BROKER_PASSWORD: 'p:w@d/#' },
    );
    expect(c).toMatchObject({
      brokerUrl: 'mqtt://mosquitto:1883',
      brokerUsername: 'opsroom-server',
      brokerPassword: 'p:w@d/#',
    });
    expect(() =>
      resolveConfig({ 'broker-url': 'mqtt://opsroom-server:pw@mosquitto:1883' }, { OPSROOM_BROKER_PASSWORD: 'pw' }),
    ).toThrow(/password is set twice.*OPSROOM_BROKER_PASSWORD/);
    expect(() =>
      resolveConfig({ 'broker-url': 'mqtt://opsroom-server@mosquitto:1883', 'broker-username': 'x' }, {}),
    ).toThrow(/user name is set twice/);
    expect(
      resolveConfig({ 'broker-url': 'mqtt://opsroom-server@mosquitto:1883' }, { OPSROOM_BROKER_PASSWORD: 'pw' })
        .brokerPassword,
    ).toBe('pw');
    expect(() => resolveConfig({ 'broker-url': 'mqtt://u:50%@mosquitto:1883' }, {})).toThrow(/bad %-escape/);
  });

  it("takes the broker's CA file only for an external broker over TLS, and only a PEM certificate", () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-broker-ca-'));
    try {
      const pem = join(dir, 'ca.pem');
      writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const notPem = join(dir, 'ca.der');
      writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01, 0x0a]));
      const tls = { 'broker-url': 'mqtts://mosquitto:8883' };
      expect(resolveConfig({ ...tls, 'broker-ca': pem }, {}).brokerCa).toBe(pem);
      expect(resolveConfig({ 'broker-url': 'wss://broker/mqtt' }, { OPSROOM_BROKER_CA: pem }).brokerCa).toBe(pem);
      expect(() => resolveConfig({ 'broker-url': 'mqtt://mosquitto:1883', 'broker-ca': pem }, {})).toThrow(
        /--broker-ca .* mqtts:\/\/… or wss:\/\/… \(it is mqtt:\/\/\)/,
      );
      expect(() => resolveConfig({ 'broker-ca': pem }, {})).toThrow(/the embedded broker is used/);
      expect(() => resolveConfig({ ...tls, 'broker-ca': notPem }, {})).toThrow(`${notPem} holds no PEM certificate`);
      expect(() => resolveConfig({ ...tls, 'broker-ca': join(dir, 'missing.pem') }, {})).toThrow(
        /--broker-ca: cannot read .*missing\.pem/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps raw readings 7 days, 1-minute roll-ups 90 days and 1-hour roll-ups forever unless told otherwise', () => {
    expect(resolveConfig({}, {}).retention).toEqual({ rawMs: 7 * DAY, minuteMs: 90 * DAY });
    expect(Object.isFrozen(resolveConfig({}, {}).retention)).toBe(true);
  });

  it("sets each tier's retention from its flag or variable, in hours, days or weeks; the flag wins", () => {
    const c = resolveConfig(
      { 'retention-raw': '36h', 'retention-hour': '520w' },
      { OPSROOM_RETENTION_RAW: '3d', OPSROOM_RETENTION_MINUTE: '30d' },
    );
    expect(c.retention).toEqual({ rawMs: 36 * HOUR, minuteMs: 30 * DAY, hourMs: 520 * 7 * DAY });
    expect(resolveConfig({}, { OPSROOM_RETENTION_HOUR: 'forever' }).retention).toEqual({
      rawMs: 7 * DAY,
      minuteMs: 90 * DAY,
    });
    expect(resolveConfig({}, { OPSROOM_RETENTION_HOUR: '365d' }).retention.hourMs).toBe(365 * DAY);
  });

  it('refuses a retention that is not a whole number of hours, days or weeks, naming the flag or variable', () => {
    expect(() => resolveConfig({ 'retention-raw': '7' }, {})).toThrow(
      /--retention-raw must be a duration like 36h, 7d or 2w .*got "7"/,
    );
    expect(() => resolveConfig({}, { OPSROOM_RETENTION_MINUTE: '1.5d' })).toThrow(
      /OPSROOM_RETENTION_MINUTE must be a duration/,
    );
    expect(() => resolveConfig({}, { OPSROOM_RETENTION_RAW: '-2d' })).toThrow(
      /OPSROOM_RETENTION_RAW must be a duration/,
    );
    expect(() => resolveConfig({ 'retention-raw': '0h' }, {})).toThrow(/--retention-raw must be at least 1h/);
    expect(() => resolveConfig({ 'retention-minute': 'forever' }, {})).toThrow(/--retention-minute must be a duration/);
    expect(() => resolveConfig({ 'retention-hour': 'never' }, {})).toThrow(
      /--retention-hour must be a duration like 36h, 90d or 52w, or forever/,
    );
    expect(() => resolveConfig({ 'retention-hour': '6000w' }, {})).toThrow(/at most 100 years \(or forever\)/);
  });

  it('refuses a coarser tier kept for less time than a finer one, naming both settings and their values', () => {
    expect(() => resolveConfig({ 'retention-raw': '100d' }, {})).toThrow(
      'the default --retention-minute (90d) must be at least --retention-raw (100d): 1-minute roll-ups must outlive the raw readings they summarise',
    );
    expect(() => resolveConfig({}, { OPSROOM_RETENTION_MINUTE: '2w', OPSROOM_RETENTION_HOUR: '7d' })).toThrow(
      'OPSROOM_RETENTION_HOUR (7d) must be at least OPSROOM_RETENTION_MINUTE (14d): 1-hour roll-ups must outlive the 1-minute ones (or be kept forever)',
    );
    expect(resolveConfig({ 'retention-raw': '90d' }, {}).retention.rawMs).toBe(90 * DAY); // equal is fine
  });

  it('refuses retention settings with a store that keeps data for its own retention period', () => {
    expect(() => resolveConfig({ store: 'victoriametrics', 'retention-raw': '3d' }, {})).toThrow(
      "--retention-raw applies to the embedded and memory stores only; --store victoriametrics keeps data for VictoriaMetrics' -retentionPeriod flag",
    );
    expect(() =>
      resolveConfig({ store: 'influxdb' }, { OPSROOM_INFLUX_TOKEN: 't', OPSROOM_RETENTION_HOUR: '52w' }),
    ).toThrow(/OPSROOM_RETENTION_HOUR .*InfluxDB bucket's retention period/);
    expect(resolveConfig({ store: 'memory', 'retention-raw': '3d' }, {}).retention.rawMs).toBe(3 * DAY);
  });

  it('checks a retention passed to startOpsroom as an option too', () => {
    expect(() => resolveConfig({}, {}, { retention: { rawMs: 2 * DAY, minuteMs: DAY } })).toThrow(
      /minute.*must be at least/,
    );
  });

  it('reads and writes durations in whole hours, days and weeks', () => {
    expect([
      parseDuration('36h'),
      parseDuration('2w'),
      parseDuration(' 7d '),
      parseDuration('7'),
      parseDuration('1.5d'),
      parseDuration('3m'),
    ]).toEqual([36 * HOUR, 14 * DAY, 7 * DAY, null, null, null]);
    expect([
      formatDuration(7 * DAY),
      formatDuration(14 * DAY),
      formatDuration(36 * HOUR),
      formatDuration(1500),
    ]).toEqual(['7d', '14d', '36h', '1500ms']);
  });

  it('takes the server id of a federated model from --server-id or OPSROOM_SERVER_ID (issue 19)', () => {
    expect(resolveConfig({}, {}).serverId).toBeUndefined();
    expect(resolveConfig({ 'server-id': 'norte' }, {}).serverId).toBe('norte');
    expect(resolveConfig({}, { OPSROOM_SERVER_ID: 'sur' }).serverId).toBe('sur');
    expect(resolveConfig({ 'server-id': 'norte' }, { OPSROOM_SERVER_ID: 'sur' }).serverId).toBe('norte');
    expect(() => resolveConfig({ 'server-id': 'valle/norte' }, {})).toThrow(
      `--server-id must be a server id from the model's servers:, got "valle/norte"`,
    );
  });

  it('takes the uplink settle delay from --uplink-settle-ms or OPSROOM_UPLINK_SETTLE_MS (issue 19)', () => {
    expect(resolveConfig({}, {}).uplinkSettleMs).toBeUndefined();
    expect(resolveConfig({ 'uplink-settle-ms': '600000' }, {}).uplinkSettleMs).toBe(600_000);
    expect(resolveConfig({}, { OPSROOM_UPLINK_SETTLE_MS: '90000' }).uplinkSettleMs).toBe(90_000);
    expect(() => resolveConfig({ 'uplink-settle-ms': '-1' }, {})).toThrow(
      '--uplink-settle-ms must be a positive number',
    );
  });

  it('takes the detector checkpoint interval from --detector-checkpoint-ms or its variable; 0 turns it off', () => {
    expect(resolveConfig({}, {}).detectorCheckpointMs).toBe(300_000);
    expect(resolveConfig({ 'detector-checkpoint-ms': '0' }, {}).detectorCheckpointMs).toBe(0);
    expect(resolveConfig({}, { OPSROOM_DETECTOR_CHECKPOINT_MS: '60000' }).detectorCheckpointMs).toBe(60_000);
    for (const bad of ['-1', 'soon', ' '])
      expect(() => resolveConfig({ 'detector-checkpoint-ms': bad }, {})).toThrow(
        '--detector-checkpoint-ms must be a number of milliseconds >= 0 (0: off)',
      );
  });

  it('takes VictoriaMetrics basic auth from --vm-username / --vm-password or their variables', () => {
    expect(resolveConfig({}, {}).vm).toEqual({ url: 'http://127.0.0.1:8428' });
    expect(resolveConfig({ 'vm-username': 'opsroom' }, { OPSROOM_VM_PASSWORD: 'p:w@d' }).vm).toEqual({
      url: 'http://127.0.0.1:8428',
      username: 'opsroom',
      password: 'p:w@d',
    });
  });

  it('takes a UI replica only with the Redis it hears events through, and checks every address (issue 19 point 4)', () => {
    const ok = resolveConfig({ 'replica-of': 'http://owner:8080', 'redis-url': 'redis://redis:6379' }, {});
    expect(ok).toMatchObject({ replicaOf: 'http://owner:8080', redisUrl: 'redis://redis:6379' });
    expect(() => resolveConfig({ 'replica-of': 'http://owner:8080' }, {})).toThrow('--replica-of needs --redis-url');
    expect(() => resolveConfig({ 'replica-of': 'mqtt://owner', 'redis-url': 'redis://r' }, {})).toThrow(
      '--replica-of must be an http:// or https:// URL',
    );
    expect(() => resolveConfig({ 'redis-url': 'http://redis:6379' }, {})).toThrow(
      '--redis-url must be a redis:// or rediss:// URL',
    );
    expect(resolveConfig({}, { OPSROOM_TRUST_PROXY: '10.0.0.21, 10.0.1.0/24' }).trustProxy).toBe(
      '10.0.0.21, 10.0.1.0/24',
    );
    expect(() => resolveConfig({ 'trust-proxy': 'replica.example' }, {})).toThrow(
      '--trust-proxy must be IP addresses or CIDRs separated by commas, got "replica.example"',
    );
  });
});
