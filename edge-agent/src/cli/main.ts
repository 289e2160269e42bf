import { parseArgs } from 'node:util';
import { AgentConfigError, loadAgentConfig } from '../config/agent-config.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startAgent } from '../agent.js';
import { formatStatus, isRunning, readStatusFile, statusFilePath } from '../health/status-file.js';
import { jsonLineLogger, type LogLevel } from '../log/logger.js';

const HELP = `opsroom-agent: the store-and-forward edge daemon of opsroom.
Samples its sources (simulated, csv, command, http, host, modbus), buffers readings
(on disk when bufferDir is set) and publishes them over MQTT (mqtt://, mqtts://, ws://,
wss://) to opsroom/v1/devices/<deviceId>/readings, never losing one while the broker is
away (up to bufferMaxReadings; beyond it the oldest are dropped and counted). Its own
health goes to opsroom/v1/devices/<deviceId>/status every statusIntervalMs.

Usage:
  opsroom-agent --config FILE [--log-level debug|info|warn|error]
  opsroom-agent --status --config FILE [--json]
  opsroom-agent --check --config FILE
  opsroom-agent --help

Options:
  -c, --config FILE     the agent's YAML configuration (see edge-agent/examples/)
      --status          print the status of the agent running with this config (read from
                        <bufferDir>/<deviceId>.status.json and the outbox); exit 0 if it runs,
                        3 if it does not
      --json            with --status: the status as JSON
      --check           validate the configuration and exit (0 good, 2 bad)
      --log-level LEVEL debug, info (default), warn or error; logs are JSON lines on stderr
  -h, --help            this text

Environment:
  OPSROOM_AGENT_SECRET  the device secret; overrides \`secret\` in the file, so the file
                        need not hold it

Exit codes: 0 stopped by SIGINT/SIGTERM, 2 bad usage or configuration, 3 --status: not
running, 1 other failure.
`;

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        status: { type: 'boolean' },
        json: { type: 'boolean' },
        check: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(`opsroom-agent: ${(err as Error).message}\nTry opsroom-agent --help\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!args.config) {
    process.stderr.write('opsroom-agent: --config FILE is required\nTry opsroom-agent --help\n');
    return 2;
  }
  if (args.status || args.check) {
    let config;
    try {
      config = loadAgentConfig(args.config);
    } catch (err) {
      process.stderr.write(`opsroom-agent: bad configuration: ${(err as Error).message}\n`);
      return 2;
    }
    if (args.check) {
      process.stdout.write(
        `${args.config}: configuration is valid (${config.sources.length} ` +
          `source(s): ${config.sources.map((s) => `${s.name} (${s.kind})`).join(', ')})\n`,
      );
      return 0;
    }
    return printStatus(config.bufferDir, config.deviceId, args.json === true);
  }
  const level = (args['log-level'] ?? 'info') as LogLevel;
  if (!LEVELS.includes(level)) {
    process.stderr.write(`opsroom-agent: --log-level must be one of ${LEVELS.join(', ')}\n`);
    return 2;
  }
  const logger = jsonLineLogger(level);

  let agent;
  try {
    let config = loadAgentConfig(args.config);
    const secret = process.env.OPSROOM_AGENT_SECRET;
    if (secret) config = Object.freeze({ ...config, secret });
    agent = await startAgent(config, { logger });
  } catch (err) {
    if (err instanceof AgentConfigError) {
      process.stderr.write(`opsroom-agent: bad configuration: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`opsroom-agent: cannot start: ${(err as Error).message}\n`);
    return 1;
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'stopping');
      agent.stop().then(
        () => resolve(0),
        (err: Error) => {
          logger.error({ err: err.message }, 'failed to stop cleanly');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** `--status`: the running agent's last report, with the outbox depth read from the file itself. */
function printStatus(bufferDir: string | undefined, deviceId: string, json: boolean): number {
  if (bufferDir === undefined) {
    process.stderr.write(
      'opsroom-agent: --status needs bufferDir in the configuration (the agent writes its status file there)\n',
    );
    return 2;
  }
  const file = statusFilePath(bufferDir, deviceId);
  let status;
  try {
    status = readStatusFile(file);
  } catch (err) {
    process.stderr.write(`opsroom-agent: cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  if (!status) {
    process.stderr.write(
      `opsroom-agent: no status file at ${file}: the agent has not run with this configuration yet\n`,
    );
    return 3;
  }
  const now = Date.now();
  const running = isRunning(status, now);
  if (!running) {
    // The file may be older than the outbox: read the depth from the outbox itself.
    try {
      const db = new Database(join(bufferDir, `${deviceId}.outbox.sqlite`), { readonly: true, fileMustExist: true });
      status.queued = (db.prepare('SELECT COUNT(*) AS n FROM readings').get() as { n: number }).n;
      db.close();
    } catch {
      /* no outbox file: keep the reported depth */
    }
  }
  process.stdout.write(
    json ? JSON.stringify({ running, ...status }, null, 2) + '\n' : formatStatus(status, now, running),
  );
  return running ? 0 : 3;
}

// Not top-level await: the production build (scripts/build-agent.ts) is a CommonJS file.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
