import { redactUrl } from '@opsroom/models';

/**
 * The line `opsroom start` prints: the broker URL without its password (an external broker's URL
 * carries the server's broker credentials, and terminals are logged and shared).
 * @example startBanner({ httpUrl: 'http://h:8080', mqttUrl: 'mqtt://opsroom-server:pw@mosquitto:1883' })
 *   // 'opsroom is running: http://h:8080  (MQTT mqtt://opsroom-server:***@mosquitto:1883)'
 */
export function startBanner(running: { httpUrl: string; mqttUrl: string }): string {
  return `opsroom is running: ${running.httpUrl}  (MQTT ${redactUrl(running.mqttUrl)})`;
}
