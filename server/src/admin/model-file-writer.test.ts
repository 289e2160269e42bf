import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  chmodSync,
  copyFileSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Model } from '@opsroom/models';
import { OpsError } from '../errors.js';
import { parseModel } from '../model/load-model.js';
import { ModelFileWriter, ModelText, renderValue, type FieldValue } from './model-file-writer.js';

const VALLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models/examples/valle.yaml');
const HASH = 'scrypt$16384$8$1$VQFM6MdMerw3oIl8N2hD0g==$9qR3LwuvT6MPBu8mQMsa3oCa+Uc9KecojPlb6D0cE6A=';
const device = (id: string, node: string): Array<[string, FieldValue]> => [
  ['id', id],
  ['node', node],
  ['secret_hash', { quoted: HASH }],
];

describe('ModelFileWriter: admin changes written back into the model file', () => {
  let dir: string;
  let file: string;
  let models: Model[];
  let writer: ModelFileWriter;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-writer-'));
    file = join(dir, 'valle.yaml');
    copyFileSync(VALLE, file);
    models = [];
    writer = new ModelFileWriter({ path: file, sink: { replace: (m) => models.push(m) } });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a user and disables a device, leaving every other line of the file as it was', async () => {
    const before = readFileSync(file, 'utf8');
    await writer.change((f) => {
      f.append('users', [
        ['name', 'new-council'],
        ['role', 'council'],
        ['scope', 'valle/sur'],
        ['password_hash', { quoted: HASH }],
      ]);
      f.set(f.find('devices', 'id', 'taller-1-plc')!, 'disabled', true);
    });
    const after = readFileSync(file, 'utf8');
    // Exactly the added lines; every line of before, comments and their alignment included, in order.
    const added: string[] = [];
    const rest = after.split('\n');
    const kept = before.split('\n');
    let k = 0;
    for (const line of rest) {
      if (k < kept.length && line === kept[k]) k++;
      else added.push(line);
    }
    expect(k).toBe(kept.length);
    expect(added).toEqual([
      '    disabled: true',
      '  - name: new-council',
      '    role: council',
      '    scope: valle/sur',
      `    password_hash: "${HASH}"`,
    ]);
    expect(after).toMatch(
      /- id: taller-1-plc\n {4}node: valle\/norte\/lana\/taller-1\n {4}secret_hash: "[^"]+"\n {4}disabled: true\n/,
    );
    // The file is what the loader reads, and the model put in force is the file's.
    const parsed = parseModel(after, file);
    expect(parsed.problems).toEqual([]);
    expect(models).toHaveLength(1);
    expect(models[0]!.users.get('new-council')).toMatchObject({ role: 'council', scope: 'valle/sur' });
    expect(models[0]!.devices.get('taller-1-plc')!.disabled).toBe(true);
    expect(parsed.model!.devices.get('taller-1-plc')!.disabled).toBe(true);
  });

  it('enabling removes the key again, so a round trip gives back the file byte for byte', async () => {
    const before = readFileSync(file, 'utf8');
    await writer.change((f) => f.set(f.find('users', 'name', 'planner')!, 'disabled', true));
    expect(readFileSync(file, 'utf8')).not.toEqual(before);
    expect(models[0]!.users.get('planner')!.disabled).toBe(true);
    await writer.change((f) => f.remove(f.find('users', 'name', 'planner')!, 'disabled'));
    expect(readFileSync(file, 'utf8')).toEqual(before);
    expect(models[1]!.users.get('planner')!.disabled).toBeUndefined();
  });

  it('replaces the file atomically: a new file renamed over it, no temporary file left behind', async () => {
    const inode = statSync(file).ino;
    await writer.change((f) => f.set(f.find('devices', 'id', 'taller-2-plc')!, 'disabled', true));
    expect(statSync(file).ino).not.toBe(inode); // renamed over, never rewritten in place
    expect(readdirSync(dir)).toEqual(['valle.yaml']);
  });

  it('keeps the file’s permission bits, and replaces the file a symbolic link points at, not the link', async () => {
    chmodSync(file, 0o640);
    const link = join(dir, 'link.yaml');
    symlinkSync(file, link);
    const viaLink = new ModelFileWriter({ path: link, sink: { replace: (m) => models.push(m) } });
    await viaLink.change((f) => f.set(f.find('users', 'name', 'planner')!, 'disabled', true));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('disabled: true');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).sort()).toEqual(['link.yaml', 'valle.yaml']);
  });

  it("refuses a change that would make the model invalid, with the loader's problem, and leaves the file as it was", async () => {
    const before = readFileSync(file, 'utf8');
    const change = writer.change((f) => f.append('devices', device('x-plc', 'valle/nowhere')));
    await expect(change).rejects.toMatchObject({ code: 'OPS_ERR_MODEL_REFUSED', message: /valle\/nowhere/ });
    expect(readFileSync(file, 'utf8')).toEqual(before);
    expect(models).toEqual([]);
    expect(readdirSync(dir)).toEqual(['valle.yaml']);
  });

  it('refuses every change while the file on disk is invalid (a hand edit in progress), never overwriting it', async () => {
    writeFileSync(file, readFileSync(file, 'utf8').replace('rollup: sum', 'rollup: summ'));
    const broken = readFileSync(file, 'utf8');
    await expect(writer.change(() => {})).rejects.toMatchObject({ code: 'OPS_ERR_MODEL_REFUSED' });
    expect(readFileSync(file, 'utf8')).toEqual(broken);
  });

  it('refuses (409) when the file is saved by hand while the change is being made', async () => {
    const change = writer.change((f) => {
      writeFileSync(file, readFileSync(file, 'utf8') + '\n# edited by hand meanwhile\n');
      f.set(f.find('users', 'name', 'planner')!, 'disabled', true);
    });
    await expect(change).rejects.toMatchObject({ code: 'OPS_ERR_MODEL_CHANGED' });
    expect(readFileSync(file, 'utf8')).toContain('# edited by hand meanwhile');
    expect(readFileSync(file, 'utf8')).not.toContain('disabled');
  });

  it('runs changes one at a time, each on the file the previous one wrote', async () => {
    const ids = ['a-plc', 'b-plc', 'c-plc'];
    await Promise.all(ids.map((id) => writer.change((f) => f.append('devices', device(id, 'valle/sur')))));
    const model = parseModel(readFileSync(file, 'utf8'), file).model!;
    expect(ids.every((id) => model.devices.has(id))).toBe(true);
    expect(models).toHaveLength(3);
  });

  it('creates the list at the end of a file that has none', async () => {
    writeFileSync(file, readFileSync(VALLE, 'utf8').split('\ndevices:')[0]! + '\n');
    await writer.change((f) => f.append('devices', device('a-plc', 'valle')));
    expect(parseModel(readFileSync(file, 'utf8'), file).model!.devices.get('a-plc')!.node).toBe('valle');
  });

  it('changes values in place, keeping a comment on their line, and quotes what YAML would misread', () => {
    const f = new ModelText(
      'users:   # people\n  - name: a   # first\n    role: council  # keep me\n    scope: valle\n',
    );
    const a = f.find('users', 'name', 'a')!;
    f.set(a, 'role', 'admin');
    f.set(a, 'display_name', 'Ana María');
    expect(f.result()).toBe(
      'users:   # people\n  - name: a   # first\n    role: admin  # keep me\n    scope: valle\n' +
        '    display_name: "Ana María"\n',
    );
    expect([renderValue('valle/sur'), renderValue('yes'), renderValue('12'), renderValue(true)]).toEqual([
      'valle/sur',
      '"yes"',
      '"12"',
      'true',
    ]);
  });

  it('an edit that throws leaves the file and the model alone', async () => {
    const before = readFileSync(file, 'utf8');
    const change = writer.change(() => {
      throw new OpsError('OPS_ERR_EXISTS');
    });
    await expect(change).rejects.toMatchObject({ code: 'OPS_ERR_EXISTS' });
    expect(readFileSync(file, 'utf8')).toEqual(before);
    expect(models).toEqual([]);
  });
});
