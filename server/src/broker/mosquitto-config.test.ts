import { describe, it, expect } from '@jest/globals';
import { pbkdf2Sync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MOSQUITTO_PASSWD_ITERATIONS,
  MOSQUITTO_PBKDF2_ITERATIONS,
  mosquittoAcl,
  mosquittoConf,
  mosquittoGlobalSettings,
  mosquittoListenerSettings,
  mosquittoPasswordLine,
  runBrokerConfig,
  type BrokerConfigOptions,
} from './mosquitto-config.js';
import { brokerConfigRig, DEMO, REPO_ROOT as REPO } from '../../test/support/broker-config-kit.js';

const rig = brokerConfigRig<BrokerConfigOptions>('opsroom-broker-config-', runBrokerConfig);
const { secretsFile, run } = rig;

/** Checks a `$7$` line the way Mosquitto does: PBKDF2-SHA512 of the password with the line's salt and iterations. */
function accepts(line: string, password: string): boolean {
  const [, iterations, salt, hash] = line
    .slice(line.indexOf(':') + 1)
    .split('$')
    .slice(1);
  return (
    pbkdf2Sync(password, Buffer.from(salt!, 'base64'), Number(iterations), 64, 'sha512').toString('base64') === hash
  );
}

describe('mosquittoPasswordLine', () => {
  it('reproduces the line mosquitto_passwd 2.0 wrote for user/pass with the same salt', () => {
    // Written by `mosquitto_passwd -c -b pw user pass` (Mosquitto 2.0.11).
    const written =
      'user:$7$101$MiRKAXljNalPekBV$cBmH3yz3/zvRANW5XmWisOK4ZBnnYJ8HPC1hAXLdQzqg5GdUY04Q2YT7Djp0a8WxIr4u84ujKt84uP6B4SNomg==';
    expect(
      mosquittoPasswordLine('user', 'pass', {
        salt: Buffer.from('MiRKAXljNalPekBV', 'base64'),
        iterations: MOSQUITTO_PASSWD_ITERATIONS,
      }),
    ).toBe(written);
  });

  it('uses a fresh 12-byte salt and 20,000 iterations by default (mosquitto_passwd writes 101)', () => {
    const a = mosquittoPasswordLine('d1', 'secret');
    const b = mosquittoPasswordLine('d1', 'secret');
    expect(a).not.toBe(b);
    expect(MOSQUITTO_PBKDF2_ITERATIONS).toBe(20_000);
    expect(a).toMatch(/^d1:\$7\$20000\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    expect(accepts(a, 'secret')).toBe(true);
    expect(accepts(a, 'secreT')).toBe(false);
  });

  it('refuses user names and passwords that would break the file', () => {
    expect(() => mosquittoPasswordLine('a:b', 'x')).toThrow(/without ':'/);
    expect(() => mosquittoPasswordLine('a', 'x\ny:$7$')).toThrow(/line breaks/);
    expect(() => mosquittoPasswordLine('', 'x')).toThrow(/non-empty/);
  });
});

describe('mosquittoAcl', () => {
  it('gives the server account every device topic and pins devices to their own topics by %u', () => {
    const acl = mosquittoAcl('svc')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(acl).toEqual([
      'user svc',
      'topic readwrite opsroom/v1/devices/#',
      'pattern write opsroom/v1/devices/%u/readings',
      'pattern write opsroom/v1/devices/%u/status',
      'pattern read opsroom/v1/devices/%u/commands',
      'pattern read opsroom/v1/devices/%u/rejects',
    ]);
  });

  it('holds the same rules as deploy/mosquitto/acl', () => {
    const rules = (text: string) => text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(rules(mosquittoAcl())).toEqual(rules(readFileSync(join(REPO, 'deploy/mosquitto/acl'), 'utf8')));
  });
});

describe('mosquittoConf', () => {
  it("binds every device's client id to its user name on the listener (use_username_as_clientid after the listener line)", () => {
    const conf = mosquittoConf({ passwordFile: '/etc/o/passwd', aclFile: '/etc/o/acl' }).split('\n');
    expect(conf).toContain('allow_anonymous false');
    expect(conf).toContain('password_file /etc/o/passwd');
    expect(conf).toContain('acl_file /etc/o/acl');
    const listener = conf.indexOf('listener 1883');
    expect(listener).toBeGreaterThan(-1);
    expect(conf.slice(listener + 1, listener + 1 + mosquittoListenerSettings().length)).toEqual(
      mosquittoListenerSettings(),
    );
    expect(mosquittoListenerSettings()).toContain('use_username_as_clientid true');
  });

  it('matches deploy/mosquitto/mosquitto.conf: every listener there is followed by the listener settings', () => {
    const deploy = readFileSync(join(REPO, 'deploy/mosquitto/mosquitto.conf'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    const listeners = deploy.flatMap((l, i) => (l.startsWith('listener ') ? [i] : []));
    expect(listeners.length).toBeGreaterThan(0);
    for (const i of listeners)
      expect(deploy.slice(i + 1, i + 1 + mosquittoListenerSettings().length)).toEqual(mosquittoListenerSettings());
    for (const line of mosquittoGlobalSettings()) expect(deploy).toContain(line);
  });

  it('bounds packets like the embedded broker (1 MiB of remaining length)', () => {
    expect(mosquittoConf({ passwordFile: 'p', aclFile: 'a' }).split('\n')).toContain(
      `max_packet_size ${1024 * 1024 + 5}`,
    );
  });
});

describe('runBrokerConfig', () => {
  it('writes an account for every model device and the server, with the password file 0600 and the ACL 0644', async () => {
    const { code, lines, outDir } = await run({ secrets: secretsFile('demo.json', DEMO.devices) });
    expect(code).toBe(0);
    const passwd = readFileSync(join(outDir, 'passwd'), 'utf8').trim().split('\n');
    const users = passwd.map((l) => l.slice(0, l.indexOf(':')));
    expect(users.sort()).toEqual(['opsroom-server', ...Object.keys(DEMO.devices)].sort());
    for (const line of passwd) {
      const user = line.slice(0, line.indexOf(':'));
      expect(accepts(line, user === 'opsroom-server' ? 'server-pw' : DEMO.devices[user]!)).toBe(true);
    }
    expect(statSync(join(outDir, 'passwd')).mode & 0o777).toBe(0o600);
    expect(statSync(join(outDir, 'acl')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(outDir, 'acl'), 'utf8')).toBe(mosquittoAcl('opsroom-server'));
    expect(readFileSync(join(outDir, 'mosquitto.conf'), 'utf8')).toBe(
      mosquittoConf({ passwordFile: join(outDir, 'passwd'), aclFile: join(outDir, 'acl') }),
    );
    expect(lines[0]).toMatch(/wrote 15 accounts \(14 devices \+ opsroom-server\)/);
    expect(lines.join('\n')).not.toContain('server-pw');
  }, 30_000); // PBKDF2 of every device at 20,000-50,000 iterations: seconds on a loaded machine

  it('writes the password file with 20,000 PBKDF2 iterations, or the count asked for, and refuses a weak count', async () => {
    const strong = await run({ secrets: secretsFile('iter.json', DEMO.devices) });
    expect(
      readFileSync(join(strong.outDir, 'passwd'), 'utf8')
        .trim()
        .split('\n')
        .every((l) => l.includes('$7$20000$')),
    ).toBe(true);
    const asked = await run({ secrets: secretsFile('iter2.json', DEMO.devices), iterations: 50_000 });
    expect(readFileSync(join(asked.outDir, 'passwd'), 'utf8')).toContain('$7$50000$');
    const weak = await run({ secrets: secretsFile('iter3.json', DEMO.devices), iterations: 101 });
    expect(weak.code).toBe(1);
    expect(weak.lines[0]).toMatch(/invalid --iterations 101/);
  }, 30_000); // PBKDF2 of every device at 20,000-50,000 iterations: seconds on a loaded machine

  it('takes the server user and the name of its password variable from the options', async () => {
    const { code, outDir } = await run({
      secrets: secretsFile('demo2.json', DEMO.devices),
      serviceUser: 'ingest',
      servicePasswordEnv: 'MY_PW',
      env: { MY_PW: 'p2' },
    });
    expect(code).toBe(0);
    const line = readFileSync(join(outDir, 'passwd'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('ingest:'))!;
    expect(accepts(line, 'p2')).toBe(true);
    expect(readFileSync(join(outDir, 'acl'), 'utf8')).toContain('user ingest\n');
  });

  it('names every device without a secret and writes nothing', async () => {
    const { ['taller-2-plc']: _a, ['horno-1-plc']: _b, ...rest } = DEMO.devices;
    const { code, lines, outDir } = await run({ secrets: secretsFile('missing.json', rest) });
    expect(code).toBe(1);
    expect(lines.filter((l) => l.includes('no secret'))).toEqual([
      expect.stringMatching(/^device taller-2-plc: no secret in /),
      expect.stringMatching(/^device horno-1-plc: no secret in /),
    ]);
    expect(lines.at(-1)).toBe('nothing written: 2 problems');
    expect(() => statSync(join(outDir, 'passwd'))).toThrow();
  });

  it("refuses a secret that does not match the model's hash, so both brokers accept the same devices", async () => {
    const { code, lines } = await run({
      secrets: secretsFile('wrong.json', { ...DEMO.devices, 'secadero-plc': 'not-it' }),
    });
    expect(code).toBe(1);
    expect(lines).toContainEqual(
      expect.stringMatching(/^device secadero-plc: the secret in .* does not match its secret_hash/),
    );
  });

  it('returns 2 and says which variable to set when the server password is missing', async () => {
    const { code, lines } = await run({ secrets: secretsFile('demo3.json', DEMO.devices), env: {} });
    expect(code).toBe(2);
    expect(lines[0]).toMatch(/export OPSROOM_BROKER_PASSWORD=/);
  });

  it('explains an unreadable or malformed secrets file', async () => {
    const bad = join(rig.dir, 'bad.json');
    writeFileSync(bad, '{"devices": [');
    expect((await run({ secrets: bad })).lines[0]).toMatch(/is not JSON/);
    writeFileSync(bad, '{"users": {}}');
    expect((await run({ secrets: bad })).lines[0]).toMatch(/has no "devices" object/);
    const r = await run({ secrets: join(rig.dir, 'absent.json') });
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/cannot read the secrets file .*ENOENT/);
  });

  it('prints the problems of a bad model and returns 1', async () => {
    const model = join(rig.dir, 'bad.yaml');
    writeFileSync(model, 'name: Bad\nnodes:\n  - id: a/b\n');
    const { code, lines } = await run({ model, secrets: secretsFile('demo4.json', DEMO.devices) });
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(/the model was refused/);
  });
});
