/**
 * The one table of broker URL schemes, used by the edge agent (`brokerUrl`) and the server
 * (`--broker-url`): which schemes there are, what each carries, and its default port.
 */

export interface BrokerScheme {
  readonly scheme: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  readonly transport: string;
  readonly tls: boolean;
  readonly defaultPort: number;
}

export const BROKER_SCHEMES: readonly BrokerScheme[] = Object.freeze([
  { scheme: 'mqtt', transport: 'MQTT over TCP', tls: false, defaultPort: 1883 },
  { scheme: 'mqtts', transport: 'MQTT over TLS', tls: true, defaultPort: 8883 },
  { scheme: 'ws', transport: 'MQTT over WebSocket', tls: false, defaultPort: 80 },
  { scheme: 'wss', transport: 'MQTT over WebSocket with TLS', tls: true, defaultPort: 443 },
] as const);

export type BrokerProtocol = BrokerScheme['scheme'];
export const BROKER_PROTOCOLS: readonly BrokerProtocol[] = Object.freeze(BROKER_SCHEMES.map((s) => s.scheme));

/** "mqtt://, mqtts://, ws:// or wss://": the schemes as errors list them. */
export const BROKER_SCHEME_LIST = `${BROKER_PROTOCOLS.slice(0, -1)
  .map((p) => `${p}://`)
  .join(', ')} or ${BROKER_PROTOCOLS.at(-1)!}://`;

export type ParsedBrokerUrl = { protocol: BrokerProtocol; host: string; port: number; tls: boolean };

/**
 * A broker URL's scheme, host and port (the scheme's default port when none is given), or a
 * problem in words when it is not one of the table's schemes with a host.
 * @example parseBrokerUrlParts('mqtts://[::1]') // { protocol: 'mqtts', host: '::1', port: 8883, tls: true }
 * @example parseBrokerUrlParts('http://x') // 'must start with mqtt://, mqtts://, ws:// or wss://, got http://'
 */
export function parseBrokerUrlParts(brokerUrl: string): ParsedBrokerUrl | string {
  let url: URL;
  try {
    url = new URL(brokerUrl);
  } catch {
    return `${JSON.stringify(brokerUrl)} is not a URL; write e.g. mqtt://localhost:1883`;
  }
  const scheme = BROKER_SCHEMES.find((s) => `${s.scheme}:` === url.protocol);
  if (!scheme) return `must start with ${BROKER_SCHEME_LIST}, got ${url.protocol}//`;
  if (url.hostname === '')
    return `${JSON.stringify(brokerUrl)} names no host; write e.g. ${scheme.scheme}://localhost:${scheme.defaultPort}`;
  return {
    protocol: scheme.scheme,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? scheme.defaultPort : Number(url.port),
    tls: scheme.tls,
  };
}
