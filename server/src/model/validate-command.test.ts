import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySecret } from '../auth/hash.js';
import { runHashSecret } from './hash-command.js';
import { formatProblem } from './problems.js';
import { federatedModelText } from '../../test/support/federated-model.js';
import { modelHash } from './model-hash.js';
import { parseModel } from './load-model.js';
import { runValidate } from './validate-command.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsroom-validate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, text: string): Promise<{ code: number; lines: string[]; file: string }> {
  const file = join(dir, name);
  writeFileSync(file, text);
  const lines: string[] = [];
  const code = await runValidate(file, (l) => lines.push(l));
  return { code, lines, file };
}

describe('runValidate', () => {
  it('exits 0 and prints a summary for a good file', async () => {
    const { code, lines, file } = await run('good.yaml', 'name: Tiny\nnodes:\n  - id: only\n');
    expect(code).toBe(0);
    expect(lines[0]).toBe(`${file}: OK`);
    expect(lines).toContain('model "Tiny": 1 node in 1 level, root "only"');
  });

  it('prints which server owns what and the model hash for a federated model', async () => {
    const text = federatedModelText();
    const { code, lines } = await run('federated.yaml', text);
    expect(code).toBe(0);
    const hash = modelHash(parseModel(text, 'x.yaml').model!);
    expect(lines.slice(-5)).toEqual([
      '3 servers:',
      '  region: owns valle, 2 nodes, no parent (top); boundary valle/norte (norte), valle/sur (sur)',
      '  norte: owns valle/norte, 3 nodes, parent region',
      '  sur: owns valle/sur, 2 nodes, parent region',
      `model hash ${hash}`,
    ]);
  });

  it('says one server runs everything without servers:, and prints the hash', async () => {
    const { lines } = await run('single.yaml', 'name: Tiny\nnodes:\n  - id: only\n');
    expect(lines.slice(-2)).toEqual([
      'no "servers:": one server runs all 1 node',
      expect.stringMatching(/^model hash [0-9a-f]{64}$/),
    ]);
  });

  it('refuses a servers: section that leaves the root without an owner', async () => {
    const { code, lines, file } = await run(
      'orphan.yaml',
      federatedModelText(undefined, 'servers:\n  - { id: n, owns: [valle/norte] }'),
    );
    expect(code).toBe(1);
    expect(lines).toEqual([
      `${file}:27:3  servers  no server owns the root "valle": exactly one server must (the one at the top, without "parent:") (expected a server with owns: [valle])`,
      `${file}: 1 problem; the model was refused`,
    ]);
  });

  it('exits 1 and prints every problem as file:line:column  field.path  message', async () => {
    const { code, lines, file } = await run('bad.yaml', 'name: Bad\nnodes:\n  - id: a/b\n    nmae: x\n');
    expect(code).toBe(1);
    expect(lines).toEqual([
      `${file}:3:9  nodes[0].id  "a/b" is not a valid node id: "/" separates the ids in a node path; give just this node's own id here and nest nodes with "children:" (expected a letter or digit, then up to 63 letters, digits, "_" or "-")`,
      `${file}:4:5  nodes[0].nmae  unknown key "nmae" in a node; did you mean "name"? (expected one of: id, name, correction_window, weights, levels, priorities, notify, children)`,
      `${file}: 2 problems; the model was refused`,
    ]);
  });

  it('exits 1 with one clear line for a file that does not exist', async () => {
    const lines: string[] = [];
    const file = join(dir, 'nope.yaml');
    expect(await runValidate(file, (l) => lines.push(l))).toBe(1);
    expect(lines[0]).toBe(
      `${file}  (document)  cannot read the model file: there is no such file; check the path given to --model (or OPSROOM_MODEL)`,
    );
  });
});

describe('formatProblem', () => {
  it('leaves out what is not known', () => {
    expect(formatProblem({ file: 'f.yaml', line: 2, column: 3, path: 'name', message: 'm' })).toBe(
      'f.yaml:2:3  name  m',
    );
    expect(formatProblem({ file: 'f.yaml', line: 0, column: 0, path: '', message: 'm', expected: 'x' })).toBe(
      'f.yaml  (document)  m (expected x)',
    );
  });
});

describe('runHashSecret', () => {
  it('prints a scrypt hash of the secret, dropping one trailing newline', async () => {
    const lines: string[] = [];
    expect(await runHashSecret('demo-secret\n', (l) => lines.push(l))).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(verifySecret('demo-secret', lines[0]!)).toBe(true);
  });

  it('refuses an empty secret with exit code 2', async () => {
    const errs: string[] = [];
    expect(
      await runHashSecret(
        '\n',
        () => {},
        (l) => errs.push(l),
      ),
    ).toBe(2);
    expect(errs[0]).toContain('no secret given');
  });
});
