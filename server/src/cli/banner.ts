import { redactUrl } from '@opsroom/models';

/**
 * What `opsroom start` prints once it is serving, after every start-up log line, set apart by
 * blank lines: the URL first, the broker URL without its password (an external broker's URL
 * carries the server's broker credentials, and terminals are logged and shared).
 * @example startBanner({ httpUrl: 'http://h:8080', mqttUrl: 'mqtt://opsroom-server:pw@mosquitto:1883' })
 *   // '\n  opsroom is running: http://h:8080  (MQTT mqtt://opsroom-server:***@mosquitto:1883)\n  Ctrl-C stops …\n'
 */
export function startBanner(running: { httpUrl: string; mqttUrl: string }): string {
  return [
    '',
    `  opsroom is running: ${running.httpUrl}  (MQTT ${redactUrl(running.mqttUrl)})`,
    '  Ctrl-C stops it and flushes the store. Request logs: --log-level debug.',
    '',
  ].join('\n');
}
