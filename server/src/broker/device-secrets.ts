import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import type { Model } from '@opsroom/models';
import { verifySecretAsync } from '../auth/hash.js';
import { ConfigError } from '../errors.js';
import { loadModelFile } from '../model/load-model.js';
import { formatProblem, ModelFileError } from '../model/problems.js';
import { ownership } from '../model/ownership.js';
import { DEFAULT_SERVICE_PASSWORD_ENV, DEFAULT_SERVICE_USER, type BrokerConfigOptions } from './mosquitto-config.js';

/** What every `opsroom broker-config` variant shares: the device secrets file, checked against the model; safe writes. */

/**
 * The enabled devices of the model with their plain secrets from the secrets file, each checked
 * against its hash in the model; null (problems printed) when anything is wrong. The same checks
 * and messages for every broker `opsroom broker-config` writes. With `serverId` (a model with
 * `servers:`), only the devices of that server's subtree.
 */
export async function checkedDeviceSecrets(
  opts: Pick<BrokerConfigOptions, 'model' | 'secrets'> & { serverId?: string },
  serviceUser: string,
  out: (line: string) => void,
): Promise<Array<{ id: string; secret: string }> | null> {
  let model: Model;
  try {
    model = await loadModelFile(opts.model);
  } catch (err) {
    if (!(err instanceof ModelFileError)) throw err;
    for (const p of err.problems) out(formatProblem(p));
    out(`${opts.model}: the model was refused; fix it first (opsroom model validate ${opts.model})`);
    return null;
  }
  const secrets = await readSecrets(opts.secrets, out);
  if (!secrets) return null;
  const all = model;
  if (opts.serverId !== undefined) {
    try {
      model = ownership(model, opts.serverId).model;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      out(err.message);
      return null;
    }
  }

  const problems: string[] = [];
  if (model.devices.has(serviceUser))
    problems.push(`device ${serviceUser} has the server account's name; rename the device or pass another server user`);
  const enabled = [...model.devices.values()].filter((d) => !d.disabled); // problems in the file's order
  const checked: Array<{ id: string; secret: string }> = [];
  for (const device of enabled) {
    const secret = secrets[device.id];
    if (secret === undefined)
      problems.push(
        `device ${device.id}: no secret in ${opts.secrets}; add "${device.id}": "<its secret>" under "devices"`,
      );
    else if (typeof secret !== 'string' || secret === '' || /[\r\n]/.test(secret))
      problems.push(
        `device ${device.id}: its secret in ${opts.secrets} must be a non-empty string without line breaks`,
      );
    else if (!(await verifySecretAsync(secret, device.secretHash)))
      problems.push(
        `device ${device.id}: the secret in ${opts.secrets} does not match its secret_hash in ${opts.model}`,
      );
    else checked.push({ id: device.id, secret });
  }
  for (const id of Object.keys(secrets))
    if (!all.devices.has(id))
      out(`note: ${opts.secrets} has a secret for ${id}, which is not a device of the model; it gets no account`);
  if (problems.length > 0) {
    for (const p of problems) out(p);
    out(`nothing written: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    return null;
  }
  return checked.sort((a, b) => a.id.localeCompare(b.id));
}

export async function readSecrets(file: string, out: (line: string) => void): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    out(`cannot read the secrets file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    out(`${file} is not JSON (${(err as Error).message}); expected { "devices": { "<device id>": "<secret>" } }`);
    return null;
  }
  const devices = (parsed as { devices?: unknown } | null)?.devices;
  if (typeof devices !== 'object' || devices === null || Array.isArray(devices)) {
    out(`${file} has no "devices" object; expected { "devices": { "<device id>": "<secret>" } }`);
    return null;
  }
  return devices as Record<string, unknown>;
}

/** Written to a temporary file with its final mode, then renamed: no reader sees half a file or wider permissions. */
export async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

/**
 * The server's account on the broker: its user name (default `opsroom-server`) and its password from the environment
 * (never from argv: `ps` shows it). 2 (said) when the password is not set, 1 when the user name is not one the broker
 * takes (`validUser`).
 */
export function serviceAccount(
  opts: Pick<BrokerConfigOptions, 'serviceUser' | 'servicePasswordEnv' | 'env'>,
  validUser: (user: string) => boolean,
  out: (line: string) => void,
): { user: string; password: string } | 1 | 2 {
  const user = opts.serviceUser ?? DEFAULT_SERVICE_USER;
  const envName = opts.servicePasswordEnv ?? DEFAULT_SERVICE_PASSWORD_ENV;
  const password = (opts.env ?? process.env)[envName];
  if (!password) {
    out(
      `the server's MQTT password is not set: export ${envName}=… (the ` +
        `password of ${user} in OPSROOM_BROKER_URL) and run again`,
    );
    return 2;
  }
  if (!validUser(user)) {
    out(`invalid server user name ${JSON.stringify(user)}: use letters, digits, '-', '_' or '.'`);
    return 1;
  }
  return { user, password };
}
