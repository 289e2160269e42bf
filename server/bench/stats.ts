/** Median and spread of repeated measurements. */
export interface Figure {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function figure(runs: number[]): Figure {
  const s = [...runs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, runs };
}

export async function repeat(times: number, fn: () => Promise<number>): Promise<Figure> {
  const runs: number[] = [];
  for (let i = 0; i < times; i++) runs.push(await fn());
  return figure(runs);
}
