/**
 * The production build of opsroom-agent (`npm run build -w @opsroom/edge-agent`): the CLI and
 * every pure-JavaScript dependency (mqtt, yaml, @opsroom/models, …) bundled by esbuild into one
 * CommonJS file, `edge-agent/dist/opsroom-agent.cjs`, that plain `node` runs without tsx.
 * Only better-sqlite3 (a native addon) stays outside; the file finds it in a `node_modules`
 * beside or above it, as any Node program does.
 *
 * The file starts with `#!/usr/bin/env -S node <AGENT_NODE_FLAGS>` and is executable, so
 * `dist/opsroom-agent.cjs --config agent.yaml` (what the systemd unit in the README runs, and what
 * `bench/agent-footprint.ts` measures) starts Node with the memory flags below.
 *
 * Why CommonJS and not ESM: esbuild keeps a bundled CommonJS module's `require()` of a Node
 * built-in inside the module, so the built-ins of a source kind a configuration does not use
 * (`node:child_process` for `command`, …) are never loaded; ESM output hoists every import to the
 * top of the file. The resident memory measured was the same either way (README, *Footprint*).
 *
 * Run: `node --import tsx edge-agent/scripts/build-agent.ts [--outfile FILE]`
 */
import { chmodSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Node/V8 flags the built file runs with (its shebang).
 * - `--no-opt --no-sparkplug`: V8 without its optimising (TurboFan) and baseline (Sparkplug)
 *   compilers: the bytecode interpreter runs everything. The agent at 100 readings/s uses
 *   ~2 % of a core either way; the compilers' code and output cost ~6 MB resident.
 *   Not `--lite-mode` or `--jitless`, which save the same but turn off WebAssembly, which
 *   Node's `fetch` (the `http` source) needs.
 * - `--max-semi-space-size=1` (MB): a young generation of 1 MB instead of up to 16 MB; more
 *   frequent, smaller scavenges (not measurable in CPU at this rate).
 */
export const AGENT_NODE_FLAGS: readonly string[] = Object.freeze([
  '--no-opt',
  '--no-sparkplug',
  '--max-semi-space-size=1',
]);

/** Where `npm run build` writes the agent. */
export const AGENT_DIST_FILE = fileURLToPath(new URL('../dist/opsroom-agent.cjs', import.meta.url));

const ENTRY = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface BuildResult {
  outfile: string;
  bytes: number;
  /** The file's first line. */
  shebang: string;
}

/**
 * Bundles the agent CLI into `outfile` (default `AGENT_DIST_FILE`) and makes it executable.
 * `outfile` must be inside the repository (or beside a node_modules holding better-sqlite3)
 * for the built file to find better-sqlite3.
 */
export async function buildAgent(opts: { outfile?: string } = {}): Promise<BuildResult> {
  const esbuild = await import('esbuild');
  const outfile = resolve(opts.outfile ?? AGENT_DIST_FILE);
  const shebang = `#!/usr/bin/env -S node ${AGENT_NODE_FLAGS.join(' ')}`;
  await esbuild.build({
    entryPoints: [ENTRY],
    outfile,
    absWorkingDir: PACKAGE_DIR,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Whitespace and syntax only: function names stay readable in stack traces. Shorter
    // identifiers were measured to save nothing resident.
    minifyWhitespace: true,
    minifySyntax: true,
    external: ['better-sqlite3'],
    banner: { js: shebang },
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
  return { outfile, bytes: statSync(outfile).size, shebang };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const r = await buildAgent(args.includes('--outfile') ? { outfile: args[args.indexOf('--outfile') + 1]! } : {});
  process.stdout.write(
    `built ${r.outfile} (${Math.round(r.bytes / 1024)} KiB); it runs as: ${r.shebang.slice(2)} <file> ARGS\n`,
  );
}
