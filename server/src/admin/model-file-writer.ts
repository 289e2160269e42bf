/**
 * The model file is the single source of truth for users and devices; the admin screens change it
 * here. Each change is one transaction on the file:
 *
 *   read the file as it is now ──► locate the YAML nodes to change (yaml's parseDocument, with
 *   source ranges) and splice only their text: a value replaced, a `key: value` line added or
 *   removed, a list item appended — every other byte (comments, their alignment, blank lines, key
 *   order, quoting, flow maps) stays as the person who wrote it left it ──► check the whole new
 *   text with the loader (parseModel: the same rules as start-up and `opsroom model validate`) ──►
 *   re-read the file: refuse if someone saved it meanwhile ──► write a temporary file beside it,
 *   fsync, rename over the file (atomic: a reader sees the old file or the new one, never half) ──►
 *   put the new model in force through the one reload path (ModelHolder.replace).
 *
 * Changes are serialised (one at a time). A file that is invalid on disk (a hand edit in progress)
 * refuses every change, with its problems, rather than being overwritten.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Model } from '@opsroom/models';
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { OpsError } from '../errors.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { parseModel } from '../model/load-model.js';
import { formatProblem } from '../model/problems.js';

/** Where the file's new model goes once written (start.ts: the ModelHolder). */
export interface ModelSink {
  replace(next: Model): void;
}

/** What a change does to the file's text (through ModelText); throw an OpsError to refuse (nothing is written). */
export type ModelEdit = (file: ModelText) => void;

export interface ModelFileWriterOptions {
  path: string;
  sink: ModelSink;
  logger?: Logger;
}

export class ModelFileWriter {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ModelFileWriterOptions) {}

  /** Applies `edit` to the file and puts the result in force; resolves with the new model. */
  change(edit: ModelEdit): Promise<Model> {
    const run = this.queue.then(() => this.apply(edit));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(edit: ModelEdit): Promise<Model> {
    const { path } = this.opts;
    const log = this.opts.logger ?? silentLogger;
    const before = await this.read();
    const current = parseModel(before, path);
    if (!current.model) throw refused(current.problems.map(formatProblem));
    const file = new ModelText(before);
    edit(file);
    const text = file.result();
    if (text === before) return current.model; // nothing to change (e.g. enabling what is enabled)
    const next = parseModel(text, path);
    if (!next.model) throw refused(next.problems.map(formatProblem));
    if ((await this.read()) !== before) throw new OpsError('OPS_ERR_MODEL_CHANGED');
    try {
      await writeAtomically(path, text);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A read-only mount (EROFS), a file or folder the server may not write (EACCES, EPERM), or a file
      // bind-mounted on its own, which cannot be replaced by a rename (EBUSY): the deployment's choice, not a fault.
      if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === 'EBUSY') {
        log.warn({ model: path, code }, 'admin: the model file is read-only here; nothing changed');
        throw new OpsError('OPS_ERR_MODEL_READ_ONLY');
      }
      log.error({ err, model: path }, 'admin: the model file could not be written; nothing changed');
      throw new OpsError('OPS_ERR_MODEL_UNWRITABLE');
    }
    this.opts.sink.replace(next.model);
    return next.model;
  }

  private async read(): Promise<string> {
    try {
      return await readFile(this.opts.path, 'utf8');
    } catch (err) {
      (this.opts.logger ?? silentLogger).error({ err, model: this.opts.path }, 'admin: the model file is unreadable');
      throw new OpsError('OPS_ERR_MODEL_UNWRITABLE', 'the model file cannot be read');
    }
  }
}

function refused(problems: string[]): OpsError {
  const shown = problems.slice(0, 5).join('; ');
  return new OpsError('OPS_ERR_MODEL_REFUSED', problems.length > 5 ? `${shown}; …` : shown);
}

/**
 * Writes `text` to a temporary file in the same directory, flushes it to disk, then renames it over
 * `path`. A symbolic link is followed (the file it points at is replaced, the link stays), and the
 * file keeps its permission bits.
 */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const target = await realpath(path);
  const { mode } = await stat(target);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.chmod(mode & 0o7777);
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** A value written into the file: text (quoted when plain YAML would read it otherwise) or a boolean. */
export type FieldValue = string | boolean | { quoted: string };

const PLAIN = /^[A-Za-z][A-Za-z0-9._/-]*$/;
const YAML_WORDS = /^(true|false|yes|no|on|off|null|y|n)$/i;

/** `valle/sur` stays plain; anything YAML could read as another type, or with spaces or `$`, is double-quoted. */
export function renderValue(v: FieldValue): string {
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'object') return JSON.stringify(v.quoted);
  return PLAIN.test(v) && !YAML_WORDS.test(v) ? v : JSON.stringify(v);
}

interface Splice {
  start: number;
  end: number;
  insert: string;
}

/**
 * The model file's text with a few located edits on it. Nodes are found with yaml's parser; the
 * edits are splices of the original text at those nodes' source ranges, applied together by
 * `result()`.
 */
export class ModelText {
  private readonly doc: Document.Parsed;
  private readonly splices: Splice[] = [];

  constructor(readonly text: string) {
    this.doc = parseDocument(text);
  }

  /** The mapping in the top-level list `list` whose `key` is `value`, or undefined. */
  find(list: 'users' | 'devices', key: string, value: string): YAMLMap | undefined {
    const seq = this.doc.get(list, true);
    if (!isSeq(seq)) return undefined;
    for (const item of seq.items) if (isMap(item) && item.get(key) === value) return item;
    return undefined;
  }

  /** Sets `key` of a list item: its value replaced in place, or a `key: value` line added after its last key. */
  set(item: YAMLMap, key: string, value: FieldValue): void {
    this.blockOnly(item);
    const pair = pairOf(item, key);
    const rendered = renderValue(value);
    if (pair && isScalar(pair.value) && pair.value.range) {
      const [start, end] = pair.value.range;
      this.splices.push({ start, end, insert: rendered });
      return;
    }
    if (pair) throw handEdit(`"${key}" holds more than one value`);
    const first = item.items[0]!;
    const last = item.items[item.items.length - 1]!;
    const at = this.afterLine(endOf(last));
    this.splices.push({
      start: at,
      end: at,
      insert: `${' '.repeat(this.column(startOf(first)))}${key}: ${rendered}\n`,
    });
  }

  /** Removes `key` from a list item (its whole line); a first key on the item's `- ` line is set to false instead. */
  remove(item: YAMLMap, key: string): void {
    const pair = pairOf(item, key);
    if (!pair) return;
    this.blockOnly(item);
    const from = this.lineStart(startOf(pair));
    if (this.text.slice(from, startOf(pair)).trim() !== '') return this.set(item, key, false);
    this.splices.push({ start: from, end: this.afterLine(endOf(pair)), insert: '' });
  }

  /**
   * Appends an item to a top-level list, as `- key: value` lines at the list's indentation; creates
   * the list at the end of the file when there is none.
   */
  append(list: 'users' | 'devices', fields: ReadonlyArray<[string, FieldValue]>): void {
    const lines = (indent: number) =>
      fields.map(([k, v], i) => `${' '.repeat(indent)}${i === 0 ? '- ' : '  '}${k}: ${renderValue(v)}\n`).join('');
    const seq = this.doc.get(list, true);
    if (isSeq(seq) && seq.items.length > 0) {
      if (seq.flow) throw handEdit(`"${list}" is written as a [flow] list`);
      const last = seq.items[seq.items.length - 1] as Node;
      const at = this.afterLine(endOf(last));
      this.splices.push({ start: at, end: at, insert: lines(this.column(seq.range![0])) });
      return;
    }
    // No list, or an empty one (`users:` or `users: []`): the key's line is dropped and the list
    // written at the end of the file.
    const pair = (this.doc.contents as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === list);
    if (pair) this.splices.push({ start: this.lineStart(startOf(pair)), end: this.afterLine(endOf(pair)), insert: '' });
    const end = this.text.length;
    const sep = this.text.endsWith('\n') ? '' : '\n';
    this.splices.push({ start: end, end, insert: `${sep}\n${list}:\n${lines(2)}` });
  }

  /** The text with every edit applied. */
  result(): string {
    let out = this.text;
    for (const s of [...this.splices].sort((a, b) => b.start - a.start || b.end - a.end))
      out = out.slice(0, s.start) + s.insert + out.slice(s.end);
    return out;
  }

  private blockOnly(item: YAMLMap): void {
    if (item.flow) throw handEdit('the item is written as a {flow} map');
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** The offset just after the end of the line holding `offset` (after its comment and newline). */
  private afterLine(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    return nl < 0 ? this.text.length : nl + 1;
  }

  private column(offset: number): number {
    return offset - this.lineStart(offset);
  }
}

function pairOf(item: YAMLMap, key: string): Pair | undefined {
  return item.items.find((p) => isScalar(p.key) && p.key.value === key);
}

/** Where a pair or node starts in the source. */
function startOf(x: Pair | Node): number {
  const n = 'key' in x ? (x.key as Node) : x;
  return n.range![0];
}

/** Where the value of a pair or a node ends in the source (before a trailing comment). */
function endOf(x: Pair | Node): number {
  if ('key' in x) {
    const v = x.value as Node | null;
    return v?.range ? v.range[1] : (x.key as Node).range![1];
  }
  if (isMap(x) && x.items.length > 0) return endOf(x.items[x.items.length - 1]!);
  return x.range![1];
}

function handEdit(why: string): OpsError {
  return new OpsError('OPS_ERR_MODEL_REFUSED', `${why}; make this change by hand in the model file`);
}
