import { redactUrl } from '@opsroom/models';

/** What the banner needs to know of the running server. */
export interface BannerFacts {
  httpUrl: string;
  mqttUrl: string;
  /** The model hash (model/model-hash.ts: no secrets in it); printed when given. */
  modelHash?: string;
  /** The model's server this process runs (issue 19), and the top of the subtree it owns. */
  serverId?: string;
  root?: string;
}

/**
 * What `opsroom start` prints once it is serving, after every start-up log line, set apart by
 * blank lines: the URL first, the broker URL without its password (an external broker's URL
 * carries the server's broker credentials, and terminals are logged and shared), then the model hash
 * (and, for a federated model, which server this is).
 * @example startBanner({ httpUrl: 'http://h:8080', mqttUrl: 'mqtt://opsroom-server:pw@mosquitto:1883' })
 *   // '\n  opsroom is running: http://h:8080  (MQTT mqtt://opsroom-server:***@mosquitto:1883)\n  Ctrl-C stops …\n'
 */
export function startBanner(running: BannerFacts): string {
  const server = running.serverId === undefined ? '' : `; server ${running.serverId}, running ${running.root ?? '?'}`;
  return [
    '',
    `  opsroom is running: ${running.httpUrl}  (MQTT ${redactUrl(running.mqttUrl)})`,
    ...(running.modelHash === undefined ? [] : [`  model hash ${running.modelHash}${server}`]),
    '  Ctrl-C stops it and flushes the store. Request logs: --log-level debug.',
    '',
  ].join('\n');
}
