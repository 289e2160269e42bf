import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createDetector } from '../vsm/detectors/index.js';

/**
 * `opsroom detect FILE.csv`: runs the default detector (createDetector(): Cyberstride, the settings
 * the server uses; alert threshold 0.99) over `timestamp,value` rows and writes the same rows with an
 * `anomaly_score` column in [0,1]; the detector sees only past rows. Deterministic.
 * Timestamps may be ISO-8601 or epoch milliseconds. Returns the exit code.
 */
export async function runDetect(file: string, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const detector = createDetector();
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNo = 0;
  let rows = 0;
  try {
    for await (const raw of rl) {
      lineNo++;
      const line = raw.replace(/\r$/, '');
      if (lineNo === 1 && /[a-z]/i.test(line.split(',')[1] ?? '')) {
        out(`${line},anomaly_score`);
        continue;
      }
      if (line.trim() === '') continue;
      const [tsRaw, valueRaw] = line.split(',');
      const value = Number(valueRaw);
      const ts = /^\d+$/.test(tsRaw ?? '') ? Number(tsRaw) : Date.parse((tsRaw ?? '').replace(' ', 'T') + (/[zZ+]/.test(tsRaw ?? '') ? '' : 'Z'));
      if (valueRaw === undefined || !Number.isFinite(value) || Number.isNaN(ts)) {
        err(`${file}:${lineNo}: expected "timestamp,value", got ${JSON.stringify(line.slice(0, 80))}`);
        return 1;
      }
      const { score } = detector.update(value, ts);
      out(`${line},${score}`);
      rows++;
    }
  } catch (e) {
    err(`cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  if (rows === 0) err(`${file}: no rows`);
  return 0;
}
