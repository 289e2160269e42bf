import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONF_FILE, runBrokerConfig } from '../../src/broker/mosquitto-config.js';
import { demoCredentials, EXAMPLE_MODEL } from './demo-fixture.js';
import { generatedConfLines, startMosquitto, type RunningMosquitto } from './mosquitto.js';

export interface ConfiguredMosquitto extends RunningMosquitto {
  /** The URL the server's ingest uses: its own account, `opsroom-server`, with the password given. */
  serverUrl: string;
}

/**
 * A real Mosquitto configured only by what `opsroom broker-config` writes for the example model and
 * its demo secrets, on the harness's own loopback listener instead of the file's `listener 1883`.
 */
export async function startConfiguredMosquitto(binary: string, serverPassword: string): Promise<ConfiguredMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-broker-config-'));
  try {
    const secrets = join(dir, 'secrets.json');
    writeFileSync(secrets, JSON.stringify({ devices: demoCredentials().devices }));
    const lines: string[] = [];
    const code = await runBrokerConfig(
      { model: EXAMPLE_MODEL, secrets, outDir: dir, env: { OPSROOM_BROKER_PASSWORD: serverPassword } },
      (l) => lines.push(l),
    );
    if (code !== 0) throw new Error(`opsroom broker-config failed (${code}): ${lines.join('\n')}`);
    // As root, Mosquitto drops privileges to its own user, which could not read the 0600 password file.
    const asRoot = process.getuid?.() === 0 ? ['user root'] : [];
    const broker = await startMosquitto(binary, [...asRoot, ...generatedConfLines(join(dir, CONF_FILE))]);
    return {
      ...broker,
      serverUrl: `mqtt://opsroom-server:${serverPassword}@127.0.0.1:${broker.port}`,
      async stop() {
        await broker.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
