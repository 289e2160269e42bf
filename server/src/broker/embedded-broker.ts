import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { deviceTopic, encodeDirective, type DeviceDef, type Directive, type ServerDef } from '@opsroom/models';
import { AttemptLimiter, type Attempt } from '../auth/attempt-limiter.js';
import { HashQueue } from '../auth/hash-queue.js';
import { verifySecretAsync } from '../auth/hash.js';
import { RateLimitedLog, type Logger } from '../log/logger.js';
import { BROKER_LIMITS, type BrokerLimits } from './broker-limits.js';
import { PacketGuard } from './packet-guard.js';
import {
  authenticateClient,
  mayPublish,
  mayReceive,
  maySubscribe,
  sessionClientId,
  SERVER_USERNAME_PREFIX,
  serverTopic,
  SERVICE_USERNAME,
  type BrokerPrincipal,
  type ServiceCredentials,
} from './broker-auth.js';
import { varint } from './mqtt-varint.js';

export interface EmbeddedBroker {
  /** `mqtt://host:port` of the TCP listener. */
  url: string;
  port: number;
  /** Credentials of the server's own MQTT account (for tools that connect as the server). */
  service: ServiceCredentials;
  readonly connected: boolean;
  /** Publishes a directive to one device's commands topic (QoS 1). */
  /** Publishes a directive (QoS 1) on the device's commands topic. */
  sendCommand(deviceId: string, directive: Directive): void;
  /** Publishes why a message was refused to the device's rejects topic (QoS 0). */
  explain(deviceId: string, body: string): void;
  /**
   * Closes the live connection of each device at once (disabled, removed or given a new secret;
   * broker-auth.ts revokedDevices). Its next CONNECT is checked against the model in force.
   */
  disconnectDevices(deviceIds: Iterable<string>): void;
  /** Whether the device has a live, authenticated connection now. */
  deviceConnected(deviceId: string): boolean;
  /** Federation: publishes (QoS 1) on a child server's `down` topic. */
  sendToServer(serverId: string, payload: string): void;
  /** Whether the child server has a live, authenticated connection now. */
  serverConnected(serverId: string): boolean;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Looked up on every CONNECT, so a reloaded model takes effect for new connections. */
  devices: () => ReadonlyMap<string, DeviceDef>;
  logger: Logger;
  /**
   * In-process ingest: called with every authorised device message on a `readings` or `status`
   * topic. aedes sends the PUBACK only after authorizePublish completes, so the message is
   * acknowledged once this promise resolves (the readings are stored) and not at all if it
   * rejects — the device keeps it and sends it again.
   */
  onDeviceMessage?: (topic: string, payload: Buffer) => Promise<void>;
  /**
   * Federation (issue 19 point 2): the child servers that may log in (`$server:<id>` with the secret of their
   * `secret_hash`), looked up on every CONNECT. Default: none.
   */
  servers?: () => readonly ServerDef[];
  /** A child server's message on its `up` topic; acknowledged (PUBACK) once this resolves, not at all if it rejects. */
  onServerMessage?: (serverId: string, payload: Buffer) => Promise<void>;
  /** PEM key and certificate: listen for mqtts (MQTT over TLS) instead of plain TCP. */
  tls?: { key: Buffer; cert: Buffer };
  /** Overrides of BROKER_LIMITS (broker-limits.ts; tests). */
  limits?: Partial<BrokerLimits>;
  now?: () => number;
}

/** CONNACK return codes ([MQTT-3.2.2.3]). */
const SERVER_UNAVAILABLE = 3;
const BAD_CREDENTIALS = 4;

/** Why an MQTT 5 client is refused: aedes (the embedded broker) speaks MQTT 3.1.1 and 3.1 only. */
export const MQTT5_REFUSAL =
  'the embedded opsroom broker speaks MQTT 3.1.1 and 3.1, not 5: connect with protocol version 3.1.1, ' +
  'or run opsroom with --broker-url on a broker that speaks 5 (Mosquitto 2)';

/**
 * An MQTT 5 CONNACK refusing the connection: reason code 0x84 Unsupported Protocol Version with a
 * Reason String property ([MQTT-3.1.2-2] in 5.0: the server MAY send it, then MUST close).
 * @example mqtt5UnsupportedConnack('no') // <20 07 00 84 04 1f 00 02 6e 6f>
 */
export function mqtt5UnsupportedConnack(reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8');
  const props = Buffer.concat([Buffer.from([0x1f, text.length >> 8, text.length & 0xff]), text]);
  const body = Buffer.concat([Buffer.from([0x00, 0x84]), varint(props.length), props]);
  return Buffer.concat([Buffer.from([0x20]), varint(body.length), body]);
}

const principals = new WeakMap<object, BrokerPrincipal>();

/** The hash queue was full: refused without hashing, the device may retry. */
class BusyError extends Error {}

function remoteAddress(client: Client): string {
  return (client.conn as Partial<Socket> | undefined)?.remoteAddress ?? 'unknown';
}

/** The in-process MQTT broker (aedes) of the embedded default, with device authentication and topic ACLs. */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const service: ServiceCredentials = { username: SERVICE_USERNAME, password: randomBytes(24).toString('base64url') };
  const log = opts.logger;
  const rlog = new RateLimitedLog(log);
  const limits: BrokerLimits = { ...BROKER_LIMITS, ...opts.limits };
  const now = opts.now ?? Date.now;
  const attempts = new AttemptLimiter({ now });
  const hashes = new HashQueue({ concurrency: limits.hashConcurrency, maxQueued: limits.hashQueue });
  /** Sockets not yet authenticated, by remote address. */
  const pending = new Map<string, Set<Socket>>();
  let pendingTotal = 0;
  const guards = new WeakMap<object, { guard: PacketGuard; settle: () => void }>();

  const refuse = (done: (err: AuthenticateError | null, ok: boolean) => void, returnCode: number, message: string) => {
    const err = new Error(message) as AuthenticateError;
    err.returnCode = returnCode; // [MQTT-3.2.2] CONNACK with this code, then the connection closes
    done(err, false);
  };
  const verifyQueued = (plain: string, hash: string): Promise<boolean> => {
    const queued = hashes.run(() => verifySecretAsync(plain, hash));
    if (!queued) throw new BusyError();
    return queued;
  };

  const aedes = await Aedes.createBroker({
    connectTimeout: limits.connectTimeoutMs,
    preConnect(client, packet, done) {
      if (packet.protocolVersion !== 5) return done(null, true); // 3 and 4; aedes refuses others with code 1
      // aedes would answer a 3.1.1 CONNACK (code 1) that MQTT 5 clients show as a bare failure,
      // and say nothing: answer in the client's own version, say why, and log it.
      const address = remoteAddress(client);
      rlog.warn(
        `mqtt5:${address}`,
        { address, clientId: String(packet.clientId ?? '').slice(0, 64), protocolVersion: 5 },
        `mqtt: refused an MQTT 5 client (${MQTT5_REFUSAL})`,
      );
      const conn = client.conn as Partial<Socket> | undefined;
      const refuse = () => done(new Error('MQTT 5 is not supported by the embedded broker'), false);
      if (conn?.write) conn.write(mqtt5UnsupportedConnack(MQTT5_REFUSAL), refuse);
      else refuse();
    },
    authenticate(client, username, password, done) {
      const address = remoteAddress(client);
      const user = String(username ?? '').slice(0, 128);
      // Counted before hashing, per device id and address ([device, address], address, device).
      let attempt: Attempt | null = null;
      if (user !== service.username) {
        attempt = attempts.tryAcquire([
          {
            key: `pair:${user}\u0000${address}`,
            max: limits.authFailuresPerDeviceAndAddress,
            windowMs: limits.authFailureWindowMs,
          },
          { key: `addr:${address}`, max: limits.authFailuresPerAddress, windowMs: limits.authFailureWindowMs },
          { key: `dev:${user}`, max: limits.authFailuresPerDevice, windowMs: limits.authFailureWindowMs },
        ]);
        if (!attempt) {
          rlog.warn(
            `auth-limited:${address}`,
            { address },
            'mqtt: refused connection (too many failed authentications; retry later)',
          );
          return refuse(done, SERVER_UNAVAILABLE, 'too many failed authentications; retry later');
        }
      }
      let checking: Promise<BrokerPrincipal | null>;
      const devices = opts.devices();
      const checkedHash = devices.get(user)?.secretHash;
      try {
        checking = authenticateClient(username, password, devices, service, verifyQueued, opts.servers?.() ?? []);
      } catch (err) {
        checking = Promise.reject(err as Error);
      }
      checking.then(
        (who) => {
          if (!who) {
            attempt?.failed();
            rlog.warn(`auth-failed:${address}`, { address }, 'mqtt: refused connection (bad username or secret)');
            return refuse(done, BAD_CREDENTIALS, 'bad username or password');
          }
          // The model may have changed while the secret was hashed: a device disabled or given a
          // new secret meanwhile is refused, not let in on the old credentials.
          if (who.kind === 'device') {
            const now = opts.devices().get(who.deviceId);
            if (!now || now.disabled || now.secretHash !== checkedHash) {
              return refuse(done, BAD_CREDENTIALS, 'bad username or password');
            }
          }
          attempt?.succeeded([`pair:${user}\u0000${address}`]);
          principals.set(client, who);
          // The session is named by the identity, not by the client: a device's client id is its
          // device id (broker-auth.ts sessionClientId). aedes reads client.id for the session
          // (subscriptions, queued messages, takeover) only after authenticate.
          (client as { id: string }).id = sessionClientId(who, client.id);
          const g = guards.get(client);
          if (g) {
            g.guard.limit = limits.maxPacketBytes;
            g.settle();
          }
          done(null, true);
        },
        (err: Error) => {
          if (err instanceof BusyError) {
            attempt?.succeeded(); // not the device's fault: its slot is given back
            rlog.warn(
              'auth-busy',
              { queued: hashes.load.waiting },
              'mqtt: refused connection (authentication queue full; retry later)',
            );
            return refuse(done, SERVER_UNAVAILABLE, 'authentication queue full; retry later');
          }
          attempt?.failed();
          log.error({ err }, 'mqtt: authentication failed');
          refuse(done, SERVER_UNAVAILABLE, err.message);
        },
      );
    },
    authorizePublish(client, packet, done) {
      if (client === null) return done(null); // the broker's own publishes
      const who = principals.get(client);
      if (who && mayPublish(who, packet.topic)) {
        // No retained messages from devices: a retained reading or status would be replayed as if
        // new to every later subscriber. The message itself is taken, the retain flag dropped.
        if (who.kind !== 'service' && packet.retain) packet.retain = false;
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        if (who.kind === 'server') {
          if (!opts.onServerMessage) return done(new Error('this server takes no uplink'));
          opts.onServerMessage(who.serverId, payload).then(
            () => done(null),
            (err: Error) => done(err),
          );
          return;
        }
        if (who.kind !== 'device' || !opts.onDeviceMessage) return done(null);
        opts.onDeviceMessage(packet.topic, payload).then(
          () => done(null),
          (err: Error) => done(err),
        );
        return;
      }
      rlog.warn(
        `publish:${client.id}`,
        { clientId: client.id, topic: packet.topic.slice(0, 200) },
        'mqtt: refused publish outside the device topics',
      );
      done(new Error('publish not authorised'));
    },
    authorizeForward(client, packet) {
      // Checked at delivery, queued messages of a persistent session included (aedes emptyQueue).
      const who = principals.get(client);
      return who && mayReceive(who, packet.topic) ? packet : null;
    },
    authorizeSubscribe(client, sub, done) {
      const who = principals.get(client);
      if (who && maySubscribe(who, sub.topic)) return done(null, sub);
      rlog.warn(
        `subscribe:${client.id}`,
        { clientId: client.id, topic: sub.topic.slice(0, 200) },
        'mqtt: refused subscription',
      ); // at most 5 lines a minute per client
      done(null, null); // [MQTT-3.9.3] SUBACK 0x80 for this filter, the connection stays
    },
  });
  aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'mqtt: client error'));

  /**
   * Every new connection: refused at once when too many are still unauthenticated (in all or from
   * its address); otherwise handed to aedes with a packet-size guard in front of its parser.
   */
  const admit = (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const mine = pending.get(address);
    if (pendingTotal >= limits.maxPendingConnections || (mine?.size ?? 0) >= limits.maxPendingPerAddress) {
      rlog.warn(
        `pending-full:${address}`,
        { address, pending: pendingTotal },
        'mqtt: refused connection (too many unauthenticated connections)',
      );
      socket.destroy();
      return;
    }
    const set = mine ?? new Set<Socket>();
    if (!mine) pending.set(address, set);
    set.add(socket);
    pendingTotal++;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      pendingTotal--;
      set.delete(socket);
      if (set.size === 0 && pending.get(address) === set) pending.delete(address);
    };
    socket.once('close', settle);
    const client = aedes.handle(socket, undefined as never) as Client & { _parser: { parse(buf: Buffer): number } };
    const guard = new PacketGuard(limits.maxConnectBytes);
    guards.set(client, { guard, settle });
    // aedes (mqtt-packet) buffers a whole packet before parsing it: check each announced length first.
    const parser = client._parser;
    const parse = parser.parse.bind(parser);
    parser.parse = (buf: Buffer) => {
      if (guard.accept(buf)) return parse(buf);
      rlog.warn(
        `packet-size:${address}`,
        { address, why: guard.refused },
        'mqtt: closed a connection (packet over the size limit)',
      );
      socket.destroy();
      return 0;
    };
  };
  const server: Server = opts.tls
    ? createTlsServer({ ...opts.tls, handshakeTimeout: limits.connectTimeoutMs }, admit)
    : createServer(admit);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // A device's client id is its device id (sessionClientId); aedes keeps live clients by id.
  const clientOf = (id: string) => (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[id];
  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://${opts.host}:${port}`,
    port,
    service,
    get connected() {
      return !aedes.closed;
    },
    sendCommand(deviceId, directive) {
      aedes.publish(
        {
          cmd: 'publish',
          topic: deviceTopic(deviceId, 'commands'),
          payload: Buffer.from(encodeDirective(directive)),
          qos: 1,
          retain: false,
          dup: false,
        },
        () => {},
      );
    },
    explain(deviceId, body) {
      aedes.publish(
        {
          cmd: 'publish',
          topic: deviceTopic(deviceId, 'rejects'),
          payload: Buffer.from(body),
          qos: 0,
          retain: false,
          dup: false,
        },
        () => {},
      );
    },
    deviceConnected(deviceId) {
      const client = clientOf(deviceId);
      return client !== undefined && principals.get(client)?.kind === 'device';
    },
    sendToServer(serverId, payload) {
      aedes.publish(
        {
          cmd: 'publish',
          topic: serverTopic(serverId, 'down'),
          payload: Buffer.from(payload),
          qos: 1,
          retain: false,
          dup: false,
        },
        () => {},
      );
    },
    serverConnected(serverId) {
      const client = clientOf(`${SERVER_USERNAME_PREFIX}${serverId}`);
      return client !== undefined && principals.get(client)?.kind === 'server';
    },
    disconnectDevices(deviceIds) {
      for (const id of deviceIds) {
        const client = clientOf(id);
        if (!client) continue;
        log.info({ device: id }, 'mqtt: closed the connection of a device disabled, removed or given a new secret');
        client.close();
      }
    },
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
