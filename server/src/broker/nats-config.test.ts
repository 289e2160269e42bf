import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { hashSecret } from '../auth/hash.js';
import { federatedModelText } from '../../test/support/federated-model.js';
import { brokerConfigRig, DEMO } from '../../test/support/broker-config-kit.js';
import {
  MQTT_DELIVERY_SUBJECTS,
  NATS_DEFAULTS,
  mqttTopicToNatsSubject,
  natsConfFile,
  natsDevicePermissions,
  natsNodes,
  natsServerConf,
  natsServicePermissions,
  runNatsBrokerConfig,
  type NatsBrokerConfigOptions,
  type NatsUser,
} from './nats-config.js';

const rig = brokerConfigRig<NatsBrokerConfigOptions>('opsroom-nats-config-', runNatsBrokerConfig, { bcryptCost: 4 });
const { secretsFile, run } = rig;

/** The users of a written file: name, hash and allow lists, read back the way they were written (one user per two lines). */
function usersOf(conf: string): Array<{ user: string; hash: string; publish: string[]; subscribe: string[] }> {
  const re =
    /\{ user: "([^"]+)", password: "([^"]+)", allowed_connection_types: \["MQTT"\],\n\s+permissions: \{ publish: \{ allow: \[([^\]]*)\] \}, subscribe: \{ allow: \[([^\]]*)\] \} \} \}/g;
  const words = (s: string) => [...s.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  return [...conf.matchAll(re)].map((m) => ({
    user: m[1]!,
    hash: m[2]!,
    publish: words(m[3]!),
    subscribe: words(m[4]!),
  }));
}

describe('mqttTopicToNatsSubject', () => {
  it("maps topic levels to subject tokens as nats-server's MQTT does", () => {
    expect(mqttTopicToNatsSubject('opsroom/v1/devices/taller-1-plc/readings')).toBe(
      'opsroom.v1.devices.taller-1-plc.readings',
    );
    expect(mqttTopicToNatsSubject('opsroom/v1/devices/+/status')).toBe('opsroom.v1.devices.*.status');
    expect(mqttTopicToNatsSubject('opsroom/v1/devices/#')).toBe('opsroom.v1.devices.>');
  });

  it("writes a dot inside a level as '//' (nats-server 2.10), so a dotted device id stays one token", () => {
    expect(mqttTopicToNatsSubject('opsroom/v1/devices/plc.2/commands')).toBe('opsroom.v1.devices.plc//2.commands');
  });

  it('refuses topics whose mapping it does not handle', () => {
    expect(() => mqttTopicToNatsSubject('/opsroom')).toThrow(/empty levels/);
    expect(() => mqttTopicToNatsSubject('a//b')).toThrow(/empty levels/);
    expect(() => mqttTopicToNatsSubject('a/b c')).toThrow(/white space/);
  });
});

describe('permissions', () => {
  it('let a device publish only its own readings and status and read only its own commands and rejects', () => {
    expect(natsDevicePermissions('d1')).toEqual({
      publish: ['opsroom.v1.devices.d1.readings', 'opsroom.v1.devices.d1.status'],
      subscribe: ['opsroom.v1.devices.d1.commands', 'opsroom.v1.devices.d1.rejects', '$MQTT.sub.>'],
    });
  });

  it("let the server's account read and write every device topic, as Mosquitto's ACL does", () => {
    expect(natsServicePermissions()).toEqual({
      publish: ['opsroom.v1.devices.>'],
      subscribe: ['opsroom.v1.devices.>', ...MQTT_DELIVERY_SUBJECTS],
    });
  });
});

describe('natsServerConf', () => {
  const users: NatsUser[] = [
    { user: 'opsroom-server', passwordHash: bcrypt.hashSync('pw', 4), permissions: natsServicePermissions() },
    { user: 'd1', passwordHash: bcrypt.hashSync('s1', 4), permissions: natsDevicePermissions('d1') },
  ];
  const nodes = natsNodes(['nats-1', 'nats-2', 'nats-3']);

  it('names the node, listens for MQTT, keeps JetStream and routes to the two other nodes with the secret', () => {
    const conf = natsServerConf({ node: nodes[1]!, nodes, users, routeSecret: 'sekret_1' });
    expect(conf).toContain('server_name: "nats-2"');
    expect(conf).toMatch(/mqtt \{\n {2}listen: "0\.0\.0\.0:1883"\n {2}stream_replicas: 3\n\}/);
    expect(conf).toMatch(/jetstream \{\n {2}store_dir: "\/data\/jetstream"\n\}/);
    expect(conf).toContain('listen: "127.0.0.1:4222"');
    expect(conf).toContain('http: "127.0.0.1:8222"');
    expect(conf).toContain('name: "opsroom"');
    expect(conf).toContain(
      'routes: ["nats-route://opsroom-route:sekret_1@nats-1:6222", "nats-route://opsroom-route:sekret_1@nats-3:6222"]',
    );
    expect(conf).toContain('authorization { user: "opsroom-route", password: "sekret_1" }');
  });

  it('writes each user with its bcrypt hash, MQTT only, and its allow lists', () => {
    const conf = natsServerConf({ node: nodes[0]!, nodes, users, routeSecret: 'x' });
    const written = usersOf(conf);
    expect(written.map((u) => u.user)).toEqual(['opsroom-server', 'd1']);
    expect(bcrypt.compareSync('s1', written[1]!.hash)).toBe(true);
    expect(written[1]).toMatchObject(natsDevicePermissions('d1'));
    expect(conf).not.toContain('"s1"');
  });

  it('writes no cluster for a single node, and one replica', () => {
    const one = natsNodes(['nats-1']);
    const conf = natsServerConf({ node: one[0]!, nodes: one, users, routeSecret: 'x' });
    expect(conf).not.toContain('cluster {');
    expect(conf).toContain('stream_replicas: 1');
  });

  it('refuses a plain password, a node outside the cluster and a secret that is not URL-safe', () => {
    const plain = [{ ...users[1]!, passwordHash: 's1' }];
    expect(() => natsServerConf({ node: nodes[0]!, nodes, users: plain, routeSecret: 'x' })).toThrow(/not a bcrypt/);
    expect(() => natsServerConf({ node: { ...nodes[0]!, name: 'other' }, nodes, users, routeSecret: 'x' })).toThrow(
      /not one of/,
    );
    expect(() => natsServerConf({ node: nodes[0]!, nodes, users, routeSecret: 'a@b' })).toThrow(/URL-safe/);
  });
});

describe('runNatsBrokerConfig', () => {
  it('writes one 0600 file per node with every enabled device of the model and the server account', async () => {
    const { code, lines, outDir } = await run({ secrets: secretsFile('ok.json', DEMO.devices) });
    expect({ code, lines }).toMatchObject({ code: 0 });
    expect(readdirSync(outDir).sort()).toEqual([natsConfFile(1), natsConfFile(2), natsConfFile(3)]);
    const confs = [1, 2, 3].map((i) => readFileSync(join(outDir, natsConfFile(i)), 'utf8'));
    for (const [i, conf] of confs.entries()) {
      expect(statSync(join(outDir, natsConfFile(i + 1))).mode & 0o777).toBe(0o600);
      expect(conf).toContain(`server_name: "nats-${i + 1}"`);
      const users = usersOf(conf);
      expect(users.map((u) => u.user).sort()).toEqual(['opsroom-server', ...Object.keys(DEMO.devices)].sort());
      expect(users.find((u) => u.user === 'opsroom-server')!.hash).toMatch(/^\$2[ab]\$04\$/);
    }
    // the same hashes and route secret in every node's file (a device may connect to any node)
    const route = (c: string) => /password: "([A-Za-z0-9_-]+)" \}/.exec(c)![1];
    expect(new Set(confs.map(route)).size).toBe(1);
    expect(usersOf(confs[0]!)).toEqual(usersOf(confs[2]!));
    const users = usersOf(confs[0]!);
    const d = users.find((u) => u.user === 'taller-1-plc')!;
    expect(bcrypt.compareSync(DEMO.devices['taller-1-plc']!, d.hash)).toBe(true);
    expect(bcrypt.compareSync(DEMO.devices['taller-2-plc']!, d.hash)).toBe(false);
    expect(bcrypt.compareSync('server-pw', users.find((u) => u.user === 'opsroom-server')!.hash)).toBe(true);
    for (const secret of [...Object.values(DEMO.devices), 'server-pw'])
      for (const conf of confs) expect(conf).not.toContain(secret);
  });

  it('sizes the cluster by the hosts given', async () => {
    const { code, outDir } = await run({
      secrets: secretsFile('ok5.json', DEMO.devices),
      hosts: ['a', 'b', 'c', 'd', 'e'],
    });
    expect(code).toBe(0);
    const conf = readFileSync(join(outDir, natsConfFile(5)), 'utf8');
    expect(conf).toContain('server_name: "nats-5"');
    expect(conf.match(/nats-route:\/\//g)).toHaveLength(4);
    expect(conf).toContain('@d:6222"');
    expect(conf).toContain(`stream_replicas: 3`);
  });

  it('writes nothing when a secret does not match its hash in the model', async () => {
    const wrong = { ...DEMO.devices, 'taller-1-plc': 'not-its-secret' };
    const { code, lines, outDir } = await run({ secrets: secretsFile('wrong.json', wrong) });
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/taller-1-plc: the secret .* does not match its secret_hash/);
    expect(existsSync(join(outDir, natsConfFile(1)))).toBe(false);
  });

  it('answers 2 without the server password and 1 for bad hosts or a cost out of range', async () => {
    const secrets = secretsFile('ok2.json', DEMO.devices);
    expect((await run({ secrets, env: {} })).code).toBe(2);
    expect((await run({ secrets, hosts: ['a', 'a'] })).code).toBe(1);
    expect((await run({ secrets, hosts: ['a b'] })).code).toBe(1);
    expect((await run({ secrets, hosts: [] })).code).toBe(1);
    expect((await run({ secrets, bcryptCost: 3 })).code).toBe(1);
  });

  it('refuses a secret longer than bcrypt reads (72 bytes), which would be accepted on its prefix', async () => {
    const { code, lines } = await run({
      secrets: secretsFile('ok3.json', DEMO.devices),
      env: { OPSROOM_BROKER_PASSWORD: 'x'.repeat(73) },
    });
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/opsroom-server: its secret is longer than 72 bytes/);
  });

  it("writes only a server's own devices for --server-id, and refuses an id the model does not have", async () => {
    const model = join(rig.dir, 'federated.yaml');
    writeFileSync(model, federatedModelText(hashSecret('s')));
    // only the region's own device needs a secret: the councils' devices log in to their own brokers
    const secrets = secretsFile('region.json', { 'centro-plc': 's' });
    const { code, lines, outDir } = await run({ model, secrets, serverId: 'region', hosts: ['nats-1'] });
    expect({ code, lines }).toMatchObject({ code: 0 });
    const users = usersOf(readFileSync(join(outDir, natsConfFile(1)), 'utf8')).map((u) => u.user);
    expect(users).toEqual(['opsroom-server', 'centro-plc']);
    const norte = await run({ model, secrets: secretsFile('norte.json', { 'lana-plc': 's' }), serverId: 'norte' });
    expect(norte.code).toBe(0);
    expect(usersOf(readFileSync(join(norte.outDir, natsConfFile(2)), 'utf8')).map((u) => u.user)).toEqual([
      'opsroom-server',
      'lana-plc',
    ]);
    const unknown = await run({ model, secrets, serverId: 'nowhere' });
    expect(unknown.code).toBe(1);
    expect(unknown.lines.join('\n')).toMatch(/no server "nowhere"/);
  });

  it('defaults to three nodes on nats-server ports and a bcrypt cost of 11', () => {
    expect(natsNodes(['nats-1', 'nats-2', 'nats-3']).map((n) => [n.name, n.mqttPort, n.clusterPort])).toEqual([
      ['nats-1', 1883, 6222],
      ['nats-2', 1883, 6222],
      ['nats-3', 1883, 6222],
    ]);
    expect(NATS_DEFAULTS.bcryptCost).toBe(11);
  });
});
