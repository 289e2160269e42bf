import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import type { DeviceDef } from '@opsroom/models';
import type { Logger } from '../log/logger.js';
import { authenticateClient, mayPublish, maySubscribe, SERVICE_USERNAME, type BrokerPrincipal, type ServiceCredentials } from './broker-auth.js';

export interface EmbeddedBroker {
  /** `mqtt://host:port` of the TCP listener. */
  url: string;
  port: number;
  /** Credentials of the server's own ingest client. */
  service: ServiceCredentials;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Looked up on every CONNECT, so a reloaded model takes effect for new connections. */
  devices: () => ReadonlyMap<string, DeviceDef>;
  logger: Logger;
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
      if (who && mayPublish(who, packet.topic)) return done(null);
      log.warn({ clientId: client.id, topic: packet.topic }, 'mqtt: refused publish outside the device topics');
      done(new Error('publish not authorised'));
    },
    authorizeSubscribe(client, sub, done) {
      const who = principals.get(client);
      if (who && maySubscribe(who, sub.topic)) return done(null, sub);
      log.warn({ clientId: client.id, topic: sub.topic }, 'mqtt: refused subscription');
      done(null, null); // [MQTT-3.9.3] SUBACK 0x80 for this filter, the connection stays
    },
  });
  aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'mqtt: client error'));

  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://${opts.host}:${port}`,
    port,
    service,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
