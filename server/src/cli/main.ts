import { ConfigError } from '../errors.js';
import { runHashSecret, runValidate } from '../model/index.js';
import { startOpsroom } from '../start.js';
import { startReplica } from '../replica/start-replica.js';
import { resolveConfig } from '../config/config.js';
import { parseServerFlags, serverFlagsHelp, shows, takeLogLevel } from './args.js';
import { demoFlagsHelp, splitDemoFlags, type DemoFlags } from './demo-args.js';
import { runDetectCommand } from './detect-command.js';
import { runBrokerConfig } from '../broker/mosquitto-config.js';
import { parseArgs } from 'node:util';
import { startBanner } from './banner.js';

const USAGE = `opsroom — a Cybersyn-style operations room

Usage:
  opsroom start [flags]            the server with its UI
  opsroom demo [flags]             start + simulated edge agents on the example model
  opsroom model validate FILE      check a model file; lists every problem with file:line:column
  opsroom model hash-secret        hash a device secret or password (read from stdin) for the model file
  opsroom detect FILE.csv          run the server's anomaly detector over timestamp,value rows: adds
                                   anomaly_score, alert, kind, probability (--out-dir DIR for several files)
  opsroom broker-config --model FILE --secrets FILE --out DIR [--broker mosquitto|nats]
                                   write Mosquitto's password and ACL files (or nats-server cluster
                                   configs) from the model
  opsroom <command> --help         help for one command

Every command takes --log-level fatal|error|warn|info|debug|trace|silent (default info; env
OPSROOM_LOG_LEVEL for start and demo): start and demo log JSON lines (HTTP requests only at debug
and trace); detect prints one progress line per file at info.

Docs: README.md (contract, architecture), models/README.md (the model file).`;

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

/** Runs until SIGINT/SIGTERM, then stops everything cleanly (flushing the store). */
function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (sig: string) => {
    if (stopping) {
      err(`${sig} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    err(`${sig}: shutting down cleanly (saving state, flushing the store)…`);
    stop().then(
      () => process.exit(0),
      (e: unknown) => {
        err(`shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

async function cmdStart(argv: string[], demo: boolean): Promise<number> {
  let demoFlags: DemoFlags | null = null;
  if (demo) {
    const split = splitDemoFlags(argv);
    demoFlags = split.demo;
    argv = split.rest;
  }
  const { flags, help } = parseServerFlags(argv);
  if (help) {
    const what = demo
      ? 'Starts the server plus simulated edge agents (real MQTT clients over TCP) on the example model,\n' +
        'with occasional injected faults; prints the URL and the demo logins.'
      : 'Starts the server: embedded MQTT broker (unless --broker-url), store, VSM roll-up, alerts, HTTP API and UI.';
    const demoHelp = demo ? `\n\nDemo flags:\n${demoFlagsHelp()}` : '';
    out(
      `opsroom ${demo ? 'demo' : 'start'} [flags]\n\n${what}\n` +
        'Port 0 picks a free port; the ports chosen are logged.\n\n' +
        `Flags (each also settable by its environment variable):\n${serverFlagsHelp()}${demoHelp}`,
    );
    return 0;
  }
  const config = resolveConfig(flags);
  if (demoFlags) {
    const { runDemo } = await import('../demo/run-demo.js');
    const running = await runDemo(config, out, demoFlags);
    stopOnSignals(running.close);
  } else if (config.replicaOf) {
    const replica = await startReplica(config);
    out(`opsroom UI replica of ${replica.owner}\n  open ${replica.httpUrl}/ (logins and alerts are the owner's)`);
    stopOnSignals(replica.close);
  } else {
    const running = await startOpsroom(config);
    await running.flushLog(); // the banner comes after every start-up log line
    out(startBanner({ ...running, root: running.model.root }));
    stopOnSignals(running.close);
  }
  return -1; // keep running
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  try {
    // `start` and `demo` read --log-level with their other flags; the one-shot commands take it here.
    const oneShot = cmd !== 'start' && cmd !== 'demo';
    const { level, rest } = oneShot ? takeLogLevel(args) : { level: 'info' as const, rest: args };
    switch (cmd) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out(USAGE);
        return cmd === undefined ? 2 : 0;
      case 'start':
        return await cmdStart(rest, false);
      case 'demo':
        return await cmdStart(rest, true);
      case 'model': {
        const [sub, file, ...extra] = rest;
        if (sub === '--help' || sub === '-h' || (sub === 'validate' && (file === '--help' || file === '-h'))) {
          out(
            'opsroom model validate FILE\n\nChecks a model file. Prints a summary ' +
              '(with which server owns what under servers:, and the model\nhash servers compare) ' +
              'and exits 0 when it is good; lists every problem\n(file:line:column, ' +
              'field path, what was expected) and exits 1 when it is not.',
          );
          return 0;
        }
        if (sub === 'hash-secret') {
          if (file === '--help' || file === '-h') {
            out(
              'opsroom model hash-secret < secret.txt\n\nReads one secret or password ' +
                'from stdin (so it stays out of shell history) and prints its\nscrypt ' +
                'hash for secret_hash / password_hash in the model file.\n  example: ' +
                'printf %s "$SECRET" | npx opsroom model hash-secret',
            );
            return 0;
          }
          const chunks: Buffer[] = [];
          for await (const c of process.stdin) chunks.push(c as Buffer);
          return await runHashSecret(
            Buffer.concat(chunks)
              .toString('utf8')
              .replace(/\r?\n$/, ''),
            out,
            err,
          );
        }
        if (sub !== 'validate' || !file || extra.length) {
          err('usage: opsroom model validate FILE | opsroom model hash-secret');
          return 2;
        }
        return await runValidate(file, out);
      }
      case 'detect':
        return await runDetectCommand(rest, {
          stdout: process.stdout,
          out,
          err,
          info: (s) => {
            if (shows(level, 'info')) err(s);
          },
        });
      case 'broker-config': {
        const { values } = parseArgs({
          args: rest,
          options: {
            model: { type: 'string' },
            secrets: { type: 'string' },
            out: { type: 'string' },
            'service-user': { type: 'string' },
            iterations: { type: 'string' },
            broker: { type: 'string', default: 'mosquitto' },
            'nats-nodes': { type: 'string' },
            'nats-hosts': { type: 'string' },
            'server-id': { type: 'string' },
            help: { type: 'boolean', short: 'h' },
          },
          strict: true,
        });
        if (values.help || !values.model || !values.secrets || !values.out) {
          out(
            'opsroom broker-config --model FILE --secrets FILE --out DIR ' +
              "[--service-user NAME] [--iterations N]\n\nWrites Mosquitto's password " +
              "file (DIR/passwd, PBKDF2-SHA512 in mosquitto_passwd's format, N " +
              'iterations,\ndefault 20000), ACL (DIR/acl: each device may publish ' +
              'only its own readings/status and read only its own\ncommands/rejects) ' +
              'and DIR/mosquitto.conf using them, with use_username_as_clientid true ' +
              "after the listener\n(a device's client id is its device id), " +
              'max_packet_size and retain_available false.\nThe model holds only ' +
              'scrypt hashes, so the plain device secrets come from FILE (JSON: ' +
              '{"devices": {"id": "secret"}});\neach must match its hash in the ' +
              "model. The server account's password is read from $OPSROOM_BROKER_PASSWORD.\n\n" +
              '--broker nats [--nats-nodes N | --nats-hosts H1,H2,…] [--server-id ID] writes a clustered nats-server ' +
              'instead: DIR/nats-1.conf…\nnats-N.conf (mode 0600; default 3 nodes reached at nats-1…nats-N), ' +
              'each with MQTT on 1883, JetStream in\n/data/jetstream, routes to the other nodes on 6222 with a ' +
              'fresh shared secret, and one bcrypt-hashed\naccount per device and the server with the same ' +
              'permissions as the ACL (docs/federation.md, section 9);\n--server-id ID: only the devices ' +
              "of that server's subtree (a model with servers:).",
          );
          return values.help ? 0 : 2;
        }
        if (values.broker === 'nats') {
          const { runNatsBrokerConfig } = await import('../broker/nats-config.js');
          const count = Number(values['nats-nodes'] ?? 3);
          if (!Number.isInteger(count) || count < 1 || count > 9) {
            err(`invalid --nats-nodes ${values['nats-nodes']}: use a whole number from 1 to 9`);
            return 2;
          }
          const hosts = values['nats-hosts']?.split(',') ?? Array.from({ length: count }, (_, i) => `nats-${i + 1}`);
          return await runNatsBrokerConfig(
            {
              model: values.model,
              secrets: values.secrets,
              outDir: values.out,
              serviceUser: values['service-user'],
              hosts,
              serverId: values['server-id'],
            },
            out,
          );
        }
        if (values.broker !== 'mosquitto') {
          err(`invalid --broker ${values.broker}: mosquitto (default) or nats`);
          return 2;
        }
        if (values['server-id'] !== undefined) {
          err('--server-id is for --broker nats; the Mosquitto files cover every device of the model');
          return 2;
        }
        const iterations = values.iterations === undefined ? undefined : Number(values.iterations);
        return await runBrokerConfig(
          {
            model: values.model,
            secrets: values.secrets,
            outDir: values.out,
            serviceUser: values['service-user'],
            iterations,
          },
          out,
        );
      }
      default:
        err(`unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (
      e instanceof ConfigError ||
      (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      (e as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
    ) {
      err(`opsroom: ${(e as Error).message}`);
      return 2;
    }
    err(`opsroom: ${(e as Error).message}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
