/**
 * A plain-text table for the benches' reports: a header, a rule of dashes, the rows; the first `leftCols` columns
 * left-aligned, the rest right-aligned, two spaces between, no trailing blanks.
 *
 * @example table(['family', 'onsets'], [['null-white', '0.00']]) // ['family      onsets', '----------  ------', 'null-white    0.00']
 */
export function table(head: string[], rows: string[][], leftCols = 1): string[] {
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((s, c) => (c < leftCols ? s.padEnd(w[c]!) : s.padStart(w[c]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)];
}
