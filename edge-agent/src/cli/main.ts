import { parseArgs } from 'node:util';
import { AgentConfigError, loadAgentConfig } from '../config/agent-config.js';
import { startAgent } from '../agent.js';
import { jsonLineLogger, type LogLevel } from '../log/logger.js';

const HELP = `opsroom-agent: the store-and-forward edge daemon of opsroom.
Samples its source, buffers readings (on disk when bufferDir is set) and publishes
them over MQTT to opsroom/v1/devices/<deviceId>/readings, never losing one while the
broker is away (up to bufferMaxReadings).

Usage:
  opsroom-agent --config FILE [--log-level debug|info|warn|error]
  opsroom-agent --help

Options:
  -c, --config FILE     the agent's YAML configuration (see edge-agent/examples/agent.yaml)
      --log-level LEVEL debug, info (default), warn or error; logs are JSON lines on stderr
  -h, --help            this text

Environment:
  OPSROOM_AGENT_SECRET  the device secret; overrides \`secret\` in the file, so the file
                        need not hold it

Exit codes: 0 stopped by SIGINT/SIGTERM, 2 bad usage or configuration, 1 other failure.
`;

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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

process.exitCode = await main(process.argv.slice(2));
