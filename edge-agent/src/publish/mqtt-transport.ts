import { createConnection, isIP } from 'node:net';
import { connect, MqttClient, type IClientOptions, type IStream } from 'mqtt';
import { parseBrokerUrlParts, type BrokerProtocol } from '@opsroom/models';

/**
 * The parts of a broker URL a connection needs (models' one table of schemes). Throws an Error
 * naming the URL when it is not `mqtt://`, `mqtts://`, `ws://` or `wss://` with a host.
 *
 * Example: `parseBrokerUrl('mqtts://[::1]')` → `{ protocol: 'mqtts', host: '::1', port: 8883 }`.
 */
export function parseBrokerUrl(brokerUrl: string): { protocol: BrokerProtocol; host: string; port: number } {
  const parts = parseBrokerUrlParts(brokerUrl);
  if (typeof parts === 'string') throw new Error(`bad broker URL ${JSON.stringify(brokerUrl)}: ${parts}`);
  return { protocol: parts.protocol, host: parts.host, port: parts.port };
}

/**
 * An mqtt.js client for the broker URL, loading only the transport it needs.
 *
 * mqtt.js's own `connect()` loads every transport on its first call: WebSocket (the `ws`
 * package with `http`, `https`, `zlib`, `crypto`) and a SOCKS proxy client (`socks`, `dns`)
 * even for a plain `mqtt://` broker — several MB of resident memory on a small box. Here
 * `mqtt://` uses `node:net` and `mqtts://` `node:tls` directly (as mqtt.js's tcp/tls
 * transports do, without the proxy), and only `ws://`/`wss://` go through mqtt.js's `connect()`.
 * The client behaves the same either way: mqtt.js's MqttClient with the given options
 * (QoS, persistent session, reconnect, keepalive).
 *
 * The SOCKS proxy that mqtt.js would take from `MQTTJS_SOCKS_PROXY` is used only for ws/wss.
 */
export function createMqttClient(brokerUrl: string, options: IClientOptions): MqttClient {
  const { protocol, host, port } = parseBrokerUrl(brokerUrl);
  if (protocol === 'ws' || protocol === 'wss') return connect(brokerUrl, options);
  // mqtt.js switches to TLS when a client certificate is given; keep that.
  const secure = protocol === 'mqtts' || (options.cert !== undefined && options.key !== undefined);
  const opts: IClientOptions = { ...options, protocol: secure ? 'mqtts' : 'mqtt', host, hostname: host, port };
  let build: (client: MqttClient) => IStream;
  if (!secure) build = () => createConnection({ host, port });
  else {
    // node:tls (with node:crypto) only when used; getBuiltinModule is synchronous and, unlike
    // import(), does not start Node's ES module loader in a CommonJS bundle.
    const tls = process.getBuiltinModule('node:tls');
    build = (client) => tlsStream(tls, client, opts);
  }
  const client = new MqttClient(build, opts);
  // as mqtt.js's connect() does: a client with no other error listener must not crash the process
  client.on('error', () => {});
  return client;
}

/**
 * mqtt.js's `tls` transport (lib/connect/tls.js, v5) without its SOCKS proxy branch: the client options go to
 * `tls.connect`.
 */
function tlsStream(tls: typeof import('node:tls'), client: MqttClient, opts: IClientOptions): IStream {
  const host = opts.hostname!;
  const rejectUnauthorized = opts.rejectUnauthorized !== false;
  const { path: _path, ...rest } = opts as IClientOptions & { path?: string };
  const connection = tls.connect({
    ...(rest as import('node:tls').ConnectionOptions),
    host,
    port: opts.port!,
    rejectUnauthorized,
    ...(isIP(host) === 0 && !opts.servername ? { servername: host } : {}),
  });
  const handleTlsErrors = (err: Error) => {
    if (rejectUnauthorized) client.emit('error', err);
    connection.end();
  };
  connection.on('secureConnect', () => {
    if (rejectUnauthorized && !connection.authorized) connection.emit('error', new Error('TLS not authorized'));
    else connection.removeListener('error', handleTlsErrors);
  });
  connection.on('error', handleTlsErrors);
  return connection;
}
