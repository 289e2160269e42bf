import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '@opsroom/models';
import { formatProblem, type ModelProblem } from './problems.js';
import { runValidate } from './validate-command.js';
import { watchModelFile, type ModelWatcher } from './watch-model.js';

const DEBOUNCE = 20;
/** Long enough for fs.watch to deliver an event and the debounce to pass, when we expect nothing. */
const QUIET = DEBOUNCE * 8;

const modelText = (leaves: string[]) =>
  `name: Watched\nindicators:\n  - id: output\n    unit: u\n    rollup: sum\nnodes:\n  - id: site\n    children:\n${leaves.map((l) => `      - id: ${l}\n`).join('')}`;

/** Polls until `cond` holds; fails after `ms`. */
async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for the watcher');
    await new Promise((r) => setTimeout(r, 5));
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let file: string;
let watcher: ModelWatcher | null;
let changes: Model[];
let errors: Array<readonly ModelProblem[]>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsroom-watch-'));
  file = join(dir, 'model.yaml');
  writeFileSync(file, modelText(['a']));
  changes = [];
  errors = [];
  watcher = watchModelFile(
    file,
    (m) => changes.push(m),
    (p) => errors.push(p),
    { debounceMs: DEBOUNCE },
  );
});
afterEach(() => {
  watcher?.close();
  rmSync(dir, { recursive: true, force: true });
});

const leavesOf = (m: Model) => m.nodes.get('site')!.children;

describe('watchModelFile', () => {
  it('calls onChange with the new model when the file is saved with a valid change', async () => {
    writeFileSync(file, modelText(['a', 'b']));
    await waitFor(() => changes.length === 1);
    expect(leavesOf(changes[0]!)).toEqual(['site/a', 'site/b']);
    expect(errors).toEqual([]);
  });

  it('calls onError with exactly the problems `opsroom model validate` prints, and not onChange', async () => {
    const bad = 'name: Bad\nnodes:\n  - id: site\n    chidlren: []\n';
    writeFileSync(file, bad);
    await waitFor(() => errors.length === 1);
    expect(changes).toEqual([]);
    const printed: string[] = [];
    expect(await runValidate(file, (l) => printed.push(l))).toBe(1);
    expect(errors[0]!.map(formatProblem)).toEqual(printed.slice(0, -1));
    expect(printed.slice(0, -1)[0]).toContain('did you mean "children"?');
  });

  it('loads the file again once a bad version is fixed', async () => {
    writeFileSync(file, 'name: [unclosed\n');
    await waitFor(() => errors.length === 1);
    writeFileSync(file, modelText(['fixed']));
    await waitFor(() => changes.length === 1);
    expect(leavesOf(changes[0]!)).toEqual(['site/fixed']);
  });

  it('follows an editor that saves by renaming a new file over the old one', async () => {
    const tmp = join(dir, '.model.yaml.swp');
    writeFileSync(tmp, modelText(['x', 'y', 'z']));
    renameSync(tmp, file);
    await waitFor(() => changes.length === 1);
    expect(leavesOf(changes[0]!)).toEqual(['site/x', 'site/y', 'site/z']);
    // …and keeps watching the new file.
    writeFileSync(file, modelText(['x']));
    await waitFor(() => changes.length === 2);
    expect(leavesOf(changes[1]!)).toEqual(['site/x']);
  });

  it('reads a burst of writes once, after it ends', async () => {
    for (let i = 1; i <= 5; i++) writeFileSync(file, modelText(Array.from({ length: i }, (_, k) => `n${k}`)));
    await waitFor(() => changes.length >= 1);
    await pause(QUIET);
    expect(changes).toHaveLength(1);
    expect(leavesOf(changes[0]!)).toHaveLength(5);
  });

  it('ignores a save that leaves the text as it was, and changes to other files in the directory', async () => {
    writeFileSync(file, modelText(['a']));
    writeFileSync(join(dir, 'other.yaml'), 'name: Other\n');
    await pause(QUIET);
    expect(changes).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('reports a model file that was deleted and not replaced', async () => {
    unlinkSync(file);
    await waitFor(() => errors.length === 1);
    expect(errors[0]).toEqual([
      expect.objectContaining({ line: 0, message: expect.stringContaining('there is no such file') }),
    ]);
    expect(changes).toEqual([]);
  });

  it('calls nothing after close()', async () => {
    watcher!.close();
    watcher!.close(); // idempotent
    writeFileSync(file, modelText(['late']));
    await pause(QUIET);
    expect(changes).toEqual([]);
  });

  it('refuses to watch a file in a directory that does not exist, saying what to check', () => {
    expect(() =>
      watchModelFile(
        join(dir, 'nope', 'model.yaml'),
        () => {},
        () => {},
      ),
    ).toThrow(/cannot watch the model file .*check that its directory exists/);
  });
});
