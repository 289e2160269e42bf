import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { DEVICE_PUBLISH_CHANNELS, DEVICE_SUBSCRIBE_CHANNELS, TOPIC_ROOT, deviceTopic } from '@opsroom/models';
import { checkedDeviceSecrets, serviceAccount, writeAtomically } from './device-secrets.js';
import type { BrokerConfigOptions } from './mosquitto-config.js';

/**
 * nats-server as opsroom's external MQTT broker, clustered (issue 19 point 7): what
 * `opsroom broker-config --broker nats` writes, one `nats-<i>.conf` per node. Same inputs and the
 * same least privilege as the Mosquitto files (mosquitto-config.ts): the server's account reads and
 * writes every device topic, each device publishes only its own readings and status and reads only
 * its own commands and rejects. Checked against nats-server 2.9.10 (Debian 12) by
 * server/test/deploy/nats-broker.test.ts.
 */

/** Defaults of every node (nats-server's own port numbers; MQTT on MQTT's). */
export const NATS_DEFAULTS = Object.freeze({
  /** NATS protocol port: bound to 127.0.0.1, and no account may use it (`allowed_connection_types: MQTT`). */
  clientPort: 4222,
  /** Where devices and the opsroom server connect. */
  mqttPort: 1883,
  /** Routes between the nodes. */
  clusterPort: 6222,
  /** Monitoring (`/healthz`), bound to 127.0.0.1: it lists connections and their user names. */
  monitorPort: 8222,
  /** Where a node keeps JetStream's files (MQTT sessions, QoS 1 messages in flight, retained messages). */
  storeDir: '/data/jetstream',
  clusterName: 'opsroom',
  /** The user name of the routes between the nodes. */
  routeUser: 'opsroom-route',
  /**
   * bcrypt cost of the account hashes: 11, as `nats server passwd` writes. nats-server checks the
   * password on every MQTT CONNECT, so a fleet reconnecting at once queues on these checks.
   */
  bcryptCost: 11,
});

/** File name of node `i` (1-based) inside `--out`. */
export const natsConfFile = (i: number): string => `nats-${i}.conf`;

/**
 * The subjects an MQTT client's own QoS 1 subscriptions are delivered on: nats-server 2.9 keeps
 * each one as a JetStream consumer delivering to `$MQTT.sub.<nuid>` and subscribes the client to
 * that subject under the client's own permissions (server/mqtt.go `processJSConsumer`, the
 * `mqttSubPrefix` constant), so without it every QoS 1 SUBSCRIBE is refused. Not a way to read
 * others' messages: an MQTT SUBSCRIBE to `$MQTT/sub/…` itself is refused by the broker
 * (`mqttProcessSubs`: SUBACK failure for that prefix), and each nuid names one consumer. Later
 * nats-server versions allow it implicitly; listing it is harmless there.
 */
export const MQTT_DELIVERY_SUBJECTS: readonly string[] = ['$MQTT.sub.>'];

/**
 * The NATS subject nats-server maps an MQTT topic (or filter) to: each `/` becomes `.`, a `.`
 * inside a level becomes `//` (nats-server ≥ 2.10; 2.9 refuses topics with a `.`), `+` becomes `*`
 * and `#` becomes `>`. Permissions are written on these subjects. Only the shapes of opsroom's topic
 * grammar are handled: no empty levels, no leading or trailing `/`.
 * @example mqttTopicToNatsSubject('opsroom/v1/devices/taller-1-plc/readings') // 'opsroom.v1.devices.taller-1-plc.readings'
 * @example mqttTopicToNatsSubject('opsroom/v1/devices/plc.2/commands') // 'opsroom.v1.devices.plc//2.commands'
 * @example mqttTopicToNatsSubject('opsroom/v1/devices/#') // 'opsroom.v1.devices.>'
 */
export function mqttTopicToNatsSubject(topic: string): string {
  const levels = topic.split('/');
  if (levels.some((l) => l === '' || /\s/.test(l)))
    throw new Error(`cannot map MQTT topic ${JSON.stringify(topic)}: empty levels and white space are not handled`);
  return levels.map((l) => (l === '+' ? '*' : l === '#' ? '>' : l.replaceAll('.', '//'))).join('.');
}

export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
}

/**
 * A device's permissions, the Mosquitto ACL's `pattern` lines for one device id (mosquittoAcl):
 * publish only its own readings and status, subscribe only its own commands and rejects.
 */
export function natsDevicePermissions(deviceId: string): NatsPermissions {
  return {
    publish: DEVICE_PUBLISH_CHANNELS.map((c) => mqttTopicToNatsSubject(deviceTopic(deviceId, c))),
    subscribe: [
      ...DEVICE_SUBSCRIBE_CHANNELS.map((c) => mqttTopicToNatsSubject(deviceTopic(deviceId, c))),
      ...MQTT_DELIVERY_SUBJECTS,
    ],
  };
}

/**
 * The opsroom server's permissions, the Mosquitto ACL's `topic readwrite opsroom/v1/devices/#`: it
 * subscribes to every device's readings and status, publishes commands and rejects, and clears a
 * retained message it was sent by publishing an empty retained one on that topic (mqtt-ingest.ts).
 */
export function natsServicePermissions(): NatsPermissions {
  const all = mqttTopicToNatsSubject(`${TOPIC_ROOT}/#`);
  return { publish: [all], subscribe: [all, ...MQTT_DELIVERY_SUBJECTS] };
}

export interface NatsUser {
  user: string;
  /** A bcrypt hash (`$2a$`/`$2b$…`): nats-server compares bcrypt hashes itself, so no secret is in the file. */
  passwordHash: string;
  permissions: NatsPermissions;
}

/** One node: its name, the host the other nodes reach it at, its ports and its JetStream directory. */
export interface NatsNode {
  name: string;
  /** Host name or address the other nodes' routes dial. */
  host: string;
  /** Where the MQTT and cluster ports listen; default 0.0.0.0. */
  listenHost?: string;
  clientPort: number;
  mqttPort: number;
  clusterPort: number;
  monitorPort: number;
  storeDir: string;
}

/**
 * Nodes `nats-1`…`nats-N` on nats-server's default ports, each reached at its own host name (the
 * compose file's service names by default).
 * @example natsNodes(['nats-1', 'nats-2'])[1] // { name: 'nats-2', host: 'nats-2', clientPort: 4222, mqttPort: 1883, … }
 */
export function natsNodes(hosts: readonly string[]): NatsNode[] {
  return hosts.map((host, i) => ({
    name: `nats-${i + 1}`,
    host,
    clientPort: NATS_DEFAULTS.clientPort,
    mqttPort: NATS_DEFAULTS.mqttPort,
    clusterPort: NATS_DEFAULTS.clusterPort,
    monitorPort: NATS_DEFAULTS.monitorPort,
    storeDir: NATS_DEFAULTS.storeDir,
  }));
}

export interface NatsConfInput {
  /** The node this file is for. */
  node: NatsNode;
  /** Every node of the cluster, this one included (one node: no cluster block). */
  nodes: readonly NatsNode[];
  users: readonly NatsUser[];
  /** The routes' shared secret, in every node's routes (plain: the dialling side must send it). */
  routeSecret: string;
  clusterName?: string;
}

const q = (s: string): string => {
  if (/["\\\r\n]/.test(s)) throw new Error(`cannot write ${JSON.stringify(s)} into a nats-server configuration`);
  return `"${s}"`;
};
const list = (xs: readonly string[]): string => `[${xs.map(q).join(', ')}]`;

/**
 * One node's nats-server configuration (`nats-server -c FILE`): MQTT for devices and the opsroom
 * server, JetStream (nats-server keeps MQTT sessions and QoS 1 messages there; its MQTT refuses to
 * start without it), the cluster's routes with a shared secret, and one account per user, MQTT
 * only, with publish and subscribe allow lists (anything not listed is refused). A pure function.
 */
export function natsServerConf(input: NatsConfInput): string {
  const { node, nodes } = input;
  const listenHost = node.listenHost ?? '0.0.0.0';
  const clusterName = input.clusterName ?? NATS_DEFAULTS.clusterName;
  const index = nodes.findIndex((n) => n.name === node.name);
  if (index < 0) throw new Error(`node ${node.name} is not one of the cluster's nodes`);
  if (!/^[A-Za-z0-9_-]+$/.test(input.routeSecret)) throw new Error('the route secret must be URL-safe');
  const lines = [
    `# nats-server configuration for opsroom: node ${index + 1} of ${nodes.length} (${node.name}),`,
    '# written by `opsroom broker-config --broker nats`. Devices and the opsroom server speak MQTT to any node.',
    `server_name: ${q(node.name)}`,
    '# The NATS protocol port: no account below may use it (MQTT only), so it stays on this machine.',
    `listen: ${q(`127.0.0.1:${node.clientPort}`)}`,
    `http: ${q(`127.0.0.1:${node.monitorPort}`)}`,
    '',
    '# MQTT 3.1.1 (nats-server speaks no MQTT 5). QoS 1 sessions live in JetStream, replicated on up to 3 nodes.',
    'mqtt {',
    `  listen: ${q(`${listenHost}:${node.mqttPort}`)}`,
    `  stream_replicas: ${Math.min(nodes.length, 3)}`,
    '}',
    '',
    'jetstream {',
    `  store_dir: ${q(node.storeDir)}`,
    '}',
    '',
  ];
  if (nodes.length > 1) {
    const routes = nodes
      .filter((n) => n.name !== node.name)
      .map((n) => `nats-route://${NATS_DEFAULTS.routeUser}:${input.routeSecret}@${n.host}:${n.clusterPort}`);
    lines.push(
      '# Routes carry every message between the nodes: only nodes knowing the secret may join.',
      'cluster {',
      `  name: ${q(clusterName)}`,
      `  listen: ${q(`${listenHost}:${node.clusterPort}`)}`,
      `  authorization { user: ${q(NATS_DEFAULTS.routeUser)}, password: ${q(input.routeSecret)} }`,
      `  routes: ${list(routes)}`,
      '}',
      '',
    );
  }
  lines.push(
    '# One account per device plus the opsroom server, each allowed only its own subjects.',
    'authorization {',
  );
  lines.push('  users: [');
  for (const u of input.users) {
    if (!/^\$2[abxy]\$\d{2}\$/.test(u.passwordHash)) throw new Error(`the password of ${u.user} is not a bcrypt hash`);
    lines.push(
      `    { user: ${q(u.user)}, password: ${q(u.passwordHash)}, allowed_connection_types: ["MQTT"],`,
      `      permissions: { publish: { allow: ${list(u.permissions.publish)} },` +
        ` subscribe: { allow: ${list(u.permissions.subscribe)} } } }`,
    );
  }
  lines.push('  ]', '}', '');
  return lines.join('\n');
}

/** An account to write: its name, its plain secret (hashed here) and its permissions. */
export interface BrokerAccount {
  user: string;
  secret: string;
  permissions: NatsPermissions;
}

/**
 * bcrypt-hashes each account's secret (bcryptjs, a fresh salt each). bcrypt reads only the first
 * 72 bytes of a secret: `runNatsBrokerConfig` refuses longer ones.
 */
export async function natsUsers(accounts: readonly BrokerAccount[], cost: number): Promise<NatsUser[]> {
  const users: NatsUser[] = [];
  for (const a of accounts)
    users.push({ user: a.user, passwordHash: await bcrypt.hash(a.secret, cost), permissions: a.permissions });
  return users;
}

export interface NatsBrokerConfigOptions extends Omit<BrokerConfigOptions, 'iterations'> {
  /** The nodes' host names as the other nodes reach them (their count is the cluster's size); default nats-1…nats-3. */
  hosts?: string[];
  /** Default {@link NATS_DEFAULTS.bcryptCost}. */
  bcryptCost?: number;
  /** Nodes as written (tests: loopback ports, temporary directories); overrides `hosts`. */
  nodes?: NatsNode[];
  /**
   * For a model with `servers:`: accounts only for the devices of this server's subtree (the other servers' devices
   * log in to their own brokers). Each server needs a broker of its own: on a shared one, every server's ingest
   * would receive, and answer on `rejects`, the readings of devices it does not own.
   */
  serverId?: string;
}

/** bcrypt uses only the first 72 bytes of a secret; a longer one would be accepted on its prefix alone. */
const BCRYPT_MAX_BYTES = 72;

/**
 * `opsroom broker-config --broker nats`: checks the model and the device secrets as the Mosquitto
 * variant does (each secret must match its device's hash in the model; a disabled device gets no
 * account), then writes `nats-1.conf`… (mode 0600: they hold the route secret) for a cluster of
 * `hosts.length` nodes. Returns 0 on success, 1 for a bad model, secrets or options, 2 for a
 * missing server password.
 */
export async function runNatsBrokerConfig(opts: NatsBrokerConfigOptions, out: (line: string) => void): Promise<number> {
  const account = serviceAccount(opts, (u) => /^[A-Za-z0-9._-]+$/.test(u), out);
  if (typeof account === 'number') return account;
  const { user: serviceUser, password: servicePassword } = account;
  const nodes = opts.nodes ?? natsNodes(opts.hosts ?? ['nats-1', 'nats-2', 'nats-3']);
  if (
    nodes.length < 1 ||
    nodes.length > 9 ||
    new Set(nodes.map((n) => n.host + ':' + n.clusterPort)).size < nodes.length
  ) {
    out(`invalid nodes: give 1 to 9 different hosts (got ${nodes.map((n) => n.host).join(', ') || 'none'})`);
    return 1;
  }
  const badHost = nodes.find((n) => !/^[A-Za-z0-9.-]+$/.test(n.host));
  if (badHost) {
    out(`invalid host ${JSON.stringify(badHost.host)}: a host name or IPv4 address`);
    return 1;
  }
  const cost = opts.bcryptCost ?? NATS_DEFAULTS.bcryptCost;
  if (!Number.isInteger(cost) || cost < 4 || cost > 16) {
    out(`invalid bcrypt cost ${cost}: use a whole number from 4 to 16 (default ${NATS_DEFAULTS.bcryptCost})`);
    return 1;
  }

  const checked = await checkedDeviceSecrets(opts, serviceUser, out);
  if (!checked) return 1;
  const accounts: BrokerAccount[] = [
    { user: serviceUser, secret: servicePassword, permissions: natsServicePermissions() },
    ...checked.map(({ id, secret }) => ({ user: id, secret, permissions: natsDevicePermissions(id) })),
  ];
  const tooLong = accounts.filter((a) => Buffer.byteLength(a.secret) > BCRYPT_MAX_BYTES);
  if (tooLong.length > 0) {
    for (const a of tooLong)
      out(`${a.user}: its secret is longer than ${BCRYPT_MAX_BYTES} bytes, of which bcrypt would check only the first`);
    out('nothing written: use shorter secrets for nats-server');
    return 1;
  }
  const dotted = checked.filter(({ id }) => id.includes('.'));
  if (dotted.length > 0)
    out(
      `note: ${dotted.map((d) => d.id).join(', ')} ha${dotted.length === 1 ? 's' : 've'} a '.' in the device id: ` +
        'nats-server 2.10 or later is needed (2.9 refuses MQTT topics with a dot)',
    );

  const users = await natsUsers(accounts, cost);
  const routeSecret = randomBytes(24).toString('base64url');
  await mkdir(opts.outDir, { recursive: true });
  for (const [i, node] of nodes.entries()) {
    const file = join(opts.outDir, natsConfFile(i + 1));
    await writeAtomically(file, natsServerConf({ node, nodes, users, routeSecret }), 0o600);
    out(`wrote ${file} (mode 0600): node ${node.name}, MQTT on ${node.mqttPort}, routes to the other nodes`);
  }
  out(
    `${users.length} accounts (${checked.length} devices + ${serviceUser}), bcrypt cost ${cost}; ` +
      `run each node with nats-server -c nats-<i>.conf`,
  );
  if (nodes.length === 2)
    out('note: a 2-node JetStream cluster stops taking QoS 1 messages when either node is down; use 3');
  return 0;
}
