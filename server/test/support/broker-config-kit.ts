import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from '@jest/globals';

/** The repository's root (this kit is imported by unit tests too: nothing of the server is loaded). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The example model and its demo device secrets: what `opsroom broker-config` is tested with. */
export const MODEL = join(REPO_ROOT, 'models/examples/valle.yaml');
export const DEMO = JSON.parse(
  readFileSync(join(REPO_ROOT, 'models/examples/valle.demo-credentials.json'), 'utf8'),
) as { devices: Record<string, string> };
/** The server account's password, as broker-config reads it. */
export const ENV = { OPSROOM_BROKER_PASSWORD: 'server-pw' };

interface CommandOptions {
  model: string;
  secrets: string;
  outDir: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * One broker-config variant under test (`runBrokerConfig`, `runNatsBrokerConfig`): a temporary directory for the
 * file (made in beforeAll, removed in afterAll), secrets files written into it, and `run`, which calls the command
 * on the example model with `defaults` and the given options and collects what it printed.
 */
export function brokerConfigRig<O extends CommandOptions>(
  prefix: string,
  command: (opts: O, out: (line: string) => void) => Promise<number>,
  defaults: Partial<O> = {},
) {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    /** The temporary directory (set once beforeAll has run). */
    get dir() {
      return dir;
    },
    secretsFile(name: string, devices: Record<string, unknown>): string {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify({ devices }));
      return file;
    },
    async run(opts: Partial<O> & { secrets: string }): Promise<{ code: number; lines: string[]; outDir: string }> {
      const outDir = opts.outDir ?? mkdtempSync(join(dir, 'out-'));
      const lines: string[] = [];
      const full = { model: MODEL, env: ENV, ...defaults, ...opts, outDir } as unknown as O;
      const code = await command(full, (l) => lines.push(l));
      return { code, lines, outDir };
    },
  };
}
