// The admin API on a server whose model file is read-only, as docker-compose.yml mounts it (a single file,
// bind-mounted read-only): users and devices cannot be changed there, and the answer says so (409
// OPS_ERR_MODEL_READ_ONLY) instead of a 503 that invites retrying. Real mounts (root; the suite is skipped,
// saying so, where mounting is refused): a file bind-mounted read-only on its own, and a read-only tmpfs.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { demoCredentials, EXAMPLE_MODEL, login, startTestServer } from '../support/demo-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'opsroom-model-ro-'));
const mounted: string[] = [];

function mount(args: string[], target: string): string | null {
  try {
    execFileSync('mount', [...args, target], { stdio: 'pipe' });
    if (!args.some((a) => a.includes('remount'))) mounted.push(target);
    return null;
  } catch (err) {
    return (err as Error).message.split('\n')[0]!;
  }
}

/** The compose layout: the operator's file bind-mounted read-only at config/model.yaml. */
function bindReadOnly(): { file: string; refused: string | null } {
  const source = join(dir, 'operator-model.yaml');
  copyFileSync(EXAMPLE_MODEL, source);
  mkdirSync(join(dir, 'config'));
  const file = join(dir, 'config', 'model.yaml');
  writeFileSync(file, '');
  const refused = mount(['--bind', source], file) ?? mount(['-o', 'remount,bind,ro'], file);
  return { file, refused };
}

/** A whole read-only file system holding the model. */
function readOnlyTmpfs(): { file: string; refused: string | null } {
  const fsDir = join(dir, 'ro');
  mkdirSync(fsDir);
  const refused = mount(['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs'], fsDir);
  const file = join(fsDir, 'model.yaml');
  if (!refused) copyFileSync(EXAMPLE_MODEL, file);
  return { file, refused: refused ?? mount(['-o', 'remount,ro'], fsDir) };
}

const layouts = { 'a file bind-mounted read-only': bindReadOnly(), 'a read-only file system': readOnlyTmpfs() };
const refused = Object.values(layouts).find((l) => l.refused)?.refused;
if (refused) process.stderr.write(`admin-model-read-only.test.ts skipped: cannot mount here (${refused})\n`);

afterAll(() => {
  for (const target of mounted.reverse()) {
    try {
      execFileSync('umount', [target], { stdio: 'pipe' });
    } catch (err) {
      process.stderr.write(
        `admin-model-read-only.test.ts: umount ${target}: ${(err as Error).message.split('\n')[0]}\n`,
      );
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

(refused ? describe.skip : describe)('the admin API on a read-only model file', () => {
  const creds = demoCredentials();
  for (const [name, { file }] of Object.entries(layouts)) {
    it(`${name}: a change answers 409 OPS_ERR_MODEL_READ_ONLY, and the file and the model stay as they were`, async () => {
      const before = readFileSync(file, 'utf8');
      const server = await startTestServer({ model: file });
      try {
        const token = await login(server.httpUrl, 'admin', creds.users.admin!);
        const res = await fetch(`${server.httpUrl}/api/admin/devices`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id: 'new-plc', node: 'valle/norte/lana/taller-1' }),
        });
        const body = (await res.json()) as { code: string; error: string };
        expect(res.status).toBe(409);
        expect(body.code).toBe('OPS_ERR_MODEL_READ_ONLY');
        expect(body.error).toContain('edit the model file where it lives');
        expect(readFileSync(file, 'utf8')).toBe(before);
        expect(server.model.devices.has('new-plc')).toBe(false);
      } finally {
        await server.stop();
      }
    }, 30_000);
  }
});
