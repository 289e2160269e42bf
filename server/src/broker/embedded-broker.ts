import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError } from 'aedes';
import { deviceTopic, type DeviceDef } from '@opsroom/models';
import type { Logger } from '../log/logger.js';
import { authenticateClient, mayPublish, mayReceive, maySubscribe, sessionClientId, SERVICE_USERNAME, type BrokerPrincipal, type ServiceCredentials } from './broker-auth.js';

export interface EmbeddedBroker {
  /** `mqtt://host:port` of the TCP listener. */
  url: string;
  port: number;
  /** Credentials of the server's own MQTT account (for tools that connect as the server). */
  service: ServiceCredentials;
  readonly connected: boolean;
  /** Publishes a directive to one device's commands topic (QoS 1). */
  sendCommand(deviceId: string, body: unknown): void;
  /** Publishes why a message was refused to the device's rejects topic (QoS 0). */
  explain(deviceId: string, body: string): void;
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
  /** PEM key and certificate: listen for mqtts (MQTT over TLS) instead of plain TCP. */
  tls?: { key: Buffer; cert: Buffer };
}

const principals = new WeakMap<object, BrokerPrincipal>();

/** The in-process MQTT broker (aedes) of the embedded default, with device authentication and topic ACLs. */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const service: ServiceCredentials = { username: SERVICE_USERNAME, password: randomBytes(24).toString('base64url') };
  const log = opts.logger;
  const aedes = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      authenticateClient(username, password, opts.devices(), service).then(
        (who) => {
          if (!who) {
            log.warn({ clientId: client.id, username }, 'mqtt: refused connection (bad username or secret)');
            const err = new Error('bad username or password') as AuthenticateError;
            err.returnCode = 4; // [MQTT-3.2.2] CONNACK 4: bad user name or password
            return done(err, false);
          }
          principals.set(client, who);
          // The session is named by the identity, not by the client: a device's client id is its
          // device id (broker-auth.ts sessionClientId). aedes reads client.id for the session
          // (subscriptions, queued messages, takeover) only after authenticate.
          (client as { id: string }).id = sessionClientId(who, client.id);
          done(null, true);
        },
        (err: Error) => {
          log.error({ err }, 'mqtt: authentication failed');
          done(Object.assign(err, { returnCode: 3 }) as AuthenticateError, false);
        },
      );
    },
    authorizePublish(client, packet, done) {
      if (client === null) return done(null); // the broker's own publishes
      const who = principals.get(client);
      if (who && mayPublish(who, packet.topic)) {
        if (who.kind !== 'device' || !opts.onDeviceMessage) return done(null);
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        opts.onDeviceMessage(packet.topic, payload).then(
          () => done(null),
          (err: Error) => done(err),
        );
        return;
      }
      log.warn({ clientId: client.id, topic: packet.topic }, 'mqtt: refused publish outside the device topics');
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
      log.warn({ clientId: client.id, topic: sub.topic }, 'mqtt: refused subscription');
      done(null, null); // [MQTT-3.9.3] SUBACK 0x80 for this filter, the connection stays
    },
  });
  aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'mqtt: client error'));

  const server: Server = opts.tls ? createTlsServer(opts.tls, aedes.handle) : createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://${opts.host}:${port}`,
    port,
    service,
    get connected() {
      return !aedes.closed;
    },
    sendCommand(deviceId, body) {
      aedes.publish({ cmd: 'publish', topic: deviceTopic(deviceId, 'commands'), payload: Buffer.from(JSON.stringify(body)), qos: 1, retain: false, dup: false }, () => {});
    },
    explain(deviceId, body) {
      aedes.publish({ cmd: 'publish', topic: deviceTopic(deviceId, 'rejects'), payload: Buffer.from(body), qos: 0, retain: false, dup: false }, () => {});
    },
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
