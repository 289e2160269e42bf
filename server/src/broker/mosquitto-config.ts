import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TOPIC_ROOT } from '@opsroom/models';
import { BROKER_LIMITS } from './broker-limits.js';
import { checkedDeviceSecrets, serviceAccount, writeAtomically } from './device-secrets.js';

/** The server's account on an external broker (the user of `OPSROOM_BROKER_URL`, see docker-compose.yml). */
export const DEFAULT_SERVICE_USER = 'opsroom-server';
/** Where `opsroom broker-config` reads the server account's password from (never from argv: `ps` shows it). */
export const DEFAULT_SERVICE_PASSWORD_ENV = 'OPSROOM_BROKER_PASSWORD';
/** Mosquitto 2's `mosquitto_passwd` writes PBKDF2-SHA512 with 101 iterations, 12-byte salt, 64-byte hash. */
export const MOSQUITTO_PASSWD_ITERATIONS = 101;
/**
 * What `opsroom broker-config` writes instead: Mosquitto reads the count from each line (`$7$<n>$`,
 * checked with Mosquitto 2.0.11), and 101 makes a stolen password file cheap to crack. Mosquitto
 * hashes on its one thread, so each connect costs it about 10 ms at 20,000 (measured here); more
 * would let a flood of bad connects stall it. `--iterations N` chooses another count.
 */
export const MOSQUITTO_PBKDF2_ITERATIONS = 20_000;
const SALT_BYTES = 12;
const HASH_BYTES = 64;

/** File names inside `--out`, as deploy/mosquitto/mosquitto.conf names them. */
export const PASSWORD_FILE = 'passwd';
export const ACL_FILE = 'acl';
export const CONF_FILE = 'mosquitto.conf';

/**
 * Lines that must follow **every** `listener` line devices can reach: Mosquitto 2 applies them to
 * the listener they follow (placed before the first `listener`, they bind nothing — measured with
 * Mosquitto 2.0.11).
 *
 * `use_username_as_clientid true` is opsroom's client id rule (broker-auth.ts `sessionClientId`):
 * a device's client id is its user name, which is its device id, whatever it sends. So no device
 * can take over another's persistent session (its queued directives) or kick it off, and none can
 * take the server's ingest session, whose client id becomes the server account's name — a name
 * `broker-config` refuses to any device. Mosquitto's ACL cannot bind client ids to user names
 * (`%c` only names topics), so this is the way it binds them.
 */
export function mosquittoListenerSettings(): string[] {
  return ['use_username_as_clientid true'];
}

/**
 * Global lines (anywhere in mosquitto.conf): the embedded broker's packet limit (broker-limits.ts),
 * counted by Mosquitto over the whole packet, so plus the 5 bytes of the largest fixed header (a
 * client sending more is disconnected); no retained messages.
 */
export function mosquittoGlobalSettings(): string[] {
  return [
    `max_packet_size ${BROKER_LIMITS.maxPacketBytes + 5}`,
    // No retained messages: a retained reading would be replayed to the server's ingest at every
    // (re)subscription, and a retained command to a device at every connect. A client that
    // publishes one is disconnected (the embedded broker drops the retain flag instead).
    'retain_available false',
  ];
}

/**
 * A complete Mosquitto 2 configuration for opsroom (`mosquitto -c DIR/mosquitto.conf`), or lines to
 * copy into an existing one: the global settings anywhere, the listener settings after each listener.
 */
export function mosquittoConf(paths: { passwordFile: string; aclFile: string }, listener = 'listener 1883'): string {
  return [
    '# Mosquitto 2 configuration for opsroom, written by `opsroom broker-config`.',
    'allow_anonymous false',
    `password_file ${paths.passwordFile}`,
    `acl_file ${paths.aclFile}`,
    ...mosquittoGlobalSettings(),
    '',
    '# Every listener devices reach must be followed by these lines (they apply per listener):',
    listener,
    ...mosquittoListenerSettings(),
    '',
  ].join('\n');
}

/**
 * One line of Mosquitto 2's password file, in the format `mosquitto_passwd` writes:
 * `user:$7$<iterations>$<base64 salt>$<base64 PBKDF2-SHA512(password, salt, iterations, 64)>`.
 * The salt is random unless given (tests).
 * @example mosquittoPasswordLine('user', 'pass', { salt: Buffer.from('MiRKAXljNalPekBV', 'base64'), iterations: 101 })
 *   // 'user:$7$101$MiRKAXljNalPekBV$cBmH3yz3/zvRANW5XmWisOK4ZBnnYJ8HPC1hAXLdQzqg5GdUY04Q2YT7Djp0a8Wx'
 *   //   + 'Ir4u84ujKt84uP6B4SNomg=='
 */
export function mosquittoPasswordLine(
  user: string,
  password: string,
  opts: { salt?: Buffer; iterations?: number } = {},
): string {
  if (user === '' || /[:\r\n]/.test(user))
    throw new Error(`invalid MQTT user name ${JSON.stringify(user)}: it must be non-empty, without ':' or line breaks`);
  if (password === '' || /[\r\n]/.test(password))
    throw new Error(`invalid password for MQTT user ${user}: it must be non-empty, without line breaks`);
  const salt = opts.salt ?? randomBytes(SALT_BYTES);
  const iterations = opts.iterations ?? MOSQUITTO_PBKDF2_ITERATIONS;
  const hash = pbkdf2Sync(password, salt, iterations, HASH_BYTES, 'sha512');
  return `${user}:$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Mosquitto's ACL file for the topic grammar (models/src/readings/topics.ts): the server's account
 * reads and writes every device topic; every other account is a device pinned by `%u` (its user
 * name = its device id) to publish only its own readings and status and read only its own
 * commands and rejects. Same rules as the embedded broker's broker-auth.ts and deploy/mosquitto/acl.
 */
export function mosquittoAcl(serviceUser: string = DEFAULT_SERVICE_USER): string {
  return [
    '# opsroom topic ACL, written by `opsroom broker-config`. The device id is a topic level, so each',
    '# device is pinned to its own topics. The server account reads every device topic and writes',
    '# commands and rejects.',
    `user ${serviceUser}`,
    `topic readwrite ${TOPIC_ROOT}/#`,
    '',
    '# Every other account is a device, named by its device id (%u).',
    `pattern write ${TOPIC_ROOT}/%u/readings`,
    `pattern write ${TOPIC_ROOT}/%u/status`,
    `pattern read ${TOPIC_ROOT}/%u/commands`,
    `pattern read ${TOPIC_ROOT}/%u/rejects`,
    '',
  ].join('\n');
}

export interface BrokerConfigOptions {
  /** The model file (YAML). */
  model: string;
  /**
   * JSON `{ "devices": { "<device id>": "<plain secret>" } }` (models/examples/valle.demo-credentials.json has this
   * shape).
   */
  secrets: string;
  /** Directory to write `passwd` and `acl` into (created if missing). */
  outDir: string;
  serviceUser?: string;
  /** Name of the environment variable holding the server account's password. */
  servicePasswordEnv?: string;
  /** Environment to read it from; default process.env. */
  env?: Record<string, string | undefined>;
  /** PBKDF2 iterations of the password file; default {@link MOSQUITTO_PBKDF2_ITERATIONS}. */
  iterations?: number;
}

/**
 * `opsroom broker-config --model FILE --secrets FILE --out DIR`: writes Mosquitto's password file
 * (mode 0600), ACL file (mode 0644) for every device of the model plus the server's account, and
 * a mosquitto.conf that uses them and binds each device's client id to its user name.
 * The model holds only scrypt hashes, which Mosquitto cannot use, so the plain secrets come from
 * the secrets file; each is checked against the model's hash so both brokers accept the same
 * devices. Returns 0 on success, 1 for a bad model or secrets, 2 for a missing server password.
 */
export async function runBrokerConfig(opts: BrokerConfigOptions, out: (line: string) => void): Promise<number> {
  const account = serviceAccount(opts, (u) => u !== '' && !/[:\s]/.test(u), out);
  if (typeof account === 'number') return account;
  const { user: serviceUser, password: servicePassword } = account;

  const iterations = opts.iterations ?? MOSQUITTO_PBKDF2_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1000 || iterations > 10_000_000) {
    out(
      `invalid --iterations ${opts.iterations}: use a whole number from 1000 ` +
        `to 10000000 (default ${MOSQUITTO_PBKDF2_ITERATIONS})`,
    );
    return 1;
  }

  // A disabled device gets no account: Mosquitto refuses it as the embedded broker does.
  const checked = await checkedDeviceSecrets(opts, serviceUser, out);
  if (!checked) return 1;

  const lines = [mosquittoPasswordLine(serviceUser, servicePassword, { iterations })];
  for (const { id, secret } of checked) lines.push(mosquittoPasswordLine(id, secret, { iterations }));
  await mkdir(opts.outDir, { recursive: true });
  const passwdPath = join(opts.outDir, PASSWORD_FILE);
  const aclPath = join(opts.outDir, ACL_FILE);
  await writeAtomically(passwdPath, lines.join('\n') + '\n', 0o600);
  await writeAtomically(aclPath, mosquittoAcl(serviceUser), 0o644);
  const confPath = join(opts.outDir, CONF_FILE);
  await writeAtomically(
    confPath,
    mosquittoConf({ passwordFile: resolve(passwdPath), aclFile: resolve(aclPath) }),
    0o644,
  );
  out(`wrote ${lines.length} accounts (${checked.length} devices + ${serviceUser}) to ${passwdPath} (mode 0600)`);
  out(`wrote the topic ACL to ${aclPath} (mode 0644)`);
  out(
    `wrote ${confPath}: run mosquitto -c ${confPath}, or copy its lines ` +
      `into your mosquitto.conf (${mosquittoListenerSettings().join(', ')} ` +
      `after every listener)`,
  );
  return 0;
}
