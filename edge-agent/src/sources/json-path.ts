/** One step of a parsed path: an object key or an array index. */
export type PathStep = string | number;

/**
 * Parses the small path language of the HTTP source: dotted keys and bracketed indexes or
 * quoted keys, with an optional leading `$` or `$.`. Throws an Error saying where it is wrong.
 * @example parseJsonPath('$.a.b') // ['a', 'b']
 * @example parseJsonPath('a.b[0]') // ['a', 'b', 0]
 * @example parseJsonPath('sensors["room 1"].temp') // ['sensors', 'room 1', 'temp']
 */
export function parseJsonPath(path: string): PathStep[] {
  let s = path.trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: PathStep[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(
      `bad path ${JSON.stringify(path)}: ${why} at character ` +
        `${i + (path.length - path.trimStart().length) + (path.trim().startsWith('$') ? 1 : 0)}; ` +
        `write e.g. $.a.b or a.b[0]`,
    );
  };
  while (i < s.length) {
    const c = s[i]!;
    if (c === '.') {
      i++;
      const m = /^[^.[\]]+/.exec(s.slice(i));
      if (!m) fail('expected a key after "."');
      steps.push(m![0]);
      i += m![0].length;
    } else if (c === '[') {
      const rest = s.slice(i);
      const m = /^\[\s*(?:(\d+)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\]/.exec(rest);
      if (!m) fail('expected [number] or ["key"]');
      steps.push(m![1] !== undefined ? Number(m![1]) : (m![2] ?? m![3])!.replace(/\\(.)/g, '$1'));
      i += m![0].length;
    } else if (steps.length === 0 && i === 0) {
      const m = /^[^.[\]]+/.exec(s)!;
      steps.push(m[0]);
      i += m[0].length;
    } else {
      fail(`unexpected ${JSON.stringify(c)}`);
    }
  }
  if (steps.length === 0)
    throw new Error(`bad path ${JSON.stringify(path)}: it selects nothing; write e.g. $.a.b or a.b[0]`);
  return steps;
}

/**
 * The value at a parsed path, or undefined when a step is missing.
 * @example valueAt({ a: { b: [7] } }, ['a', 'b', 0]) // 7
 */
export function valueAt(doc: unknown, steps: readonly PathStep[]): unknown {
  let x: unknown = doc;
  for (const step of steps) {
    if (x === null || typeof x !== 'object') return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(x)) return undefined;
      x = x[step];
    } else {
      if (Array.isArray(x) || !Object.prototype.hasOwnProperty.call(x, step)) return undefined;
      x = (x as Record<string, unknown>)[step];
    }
  }
  return x;
}
