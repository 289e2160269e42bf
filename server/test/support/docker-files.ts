/**
 * Reading a Dockerfile and a .dockerignore as data, for the tests that check the image without a
 * Docker engine (compose.test.ts, image-sigterm.test.ts).
 */

/** The text of one build stage, from its `FROM … AS name` line to the next FROM. */
export function dockerfileStage(dockerfile: string, name: string): string {
  const start = dockerfile.search(new RegExp(`^FROM \\S+ AS ${name}$`, 'm'));
  if (start < 0) throw new Error(`the Dockerfile has no stage ${name}`);
  const next = dockerfile.slice(start + 1).search(/^FROM /m);
  return next < 0 ? dockerfile.slice(start) : dockerfile.slice(start, start + 1 + next);
}

/**
 * The last ENTRYPOINT or CMD of a stage in exec (JSON) form; throws for the shell form, which runs
 * the command under `sh -c` (PID 1 is then the shell, and `docker stop`'s SIGTERM never reaches node).
 * @example execForm('CMD ["start"]', 'CMD') // ['start']
 */
export function execForm(stage: string, instruction: 'ENTRYPOINT' | 'CMD'): string[] {
  const lines = [...stage.matchAll(new RegExp(`^${instruction} (.*)$`, 'gm'))];
  const last = lines.at(-1)?.[1];
  if (last === undefined) throw new Error(`no ${instruction} in the stage`);
  const parsed: unknown = JSON.parse(last);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string'))
    throw new Error(`${instruction} is not in exec form: ${last}`);
  return parsed as string[];
}

/** The `ENV k=v` settings of a stage (one per line, as the Dockerfile writes them). */
export function dockerfileEnv(stage: string): Record<string, string> {
  return Object.fromEntries([...stage.matchAll(/^ENV ([A-Za-z_][A-Za-z0-9_]*)=(\S*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

export interface IgnoreRule {
  re: RegExp;
  negate: boolean;
}

/** A .dockerignore's rules in order: `#` comments, `!` exceptions, `*`, `?` and `**` (any number of directories). */
export function dockerignoreRules(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '');
    let re = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '*' && pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    rules.push({ re: new RegExp(`^${re}$`), negate });
  }
  return rules;
}

/**
 * Whether the build context leaves `path` out: the last rule that matches the path or one of its
 * parent directories decides (as Docker's pattern matcher does).
 * @example isIgnored(dockerignoreRules('**\/node_modules'), 'server/node_modules/x.js') // true
 */
export function isIgnored(rules: IgnoreRule[], path: string): boolean {
  const parts = path.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const r of rules) if (prefixes.some((p) => r.re.test(p))) ignored = !r.negate;
  return ignored;
}
