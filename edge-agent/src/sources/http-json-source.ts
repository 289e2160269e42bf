import type { Reading } from '@opsroom/models';
import { silentLogger, type Logger } from '../log/logger.js';
import type { Source } from './source.js';
import { parseJsonPath, valueAt, type PathStep } from './json-path.js';
import { toValue } from './metric-id.js';

export interface HttpJsonSourceOptions {
  /** Names the source in logs (`http:<name>`). */
  name: string;
  /** `http://` or `https://` URL answering JSON. */
  url: string;
  /** Metric id -> path of its value in the document (`$.a.b`, `a.b[0]`; see `parseJsonPath`). */
  metrics: Readonly<Record<string, string>>;
  /** Extra request headers (e.g. `Authorization`). */
  headers?: Readonly<Record<string, string>>;
  /** ms before the request is abandoned and the sample fails (default 5,000). */
  timeoutMs?: number;
  logger?: Logger;
  /** The fetch to use (tests); default the global one. */
  fetch?: typeof fetch;
}

/**
 * Polls a JSON endpoint (a PLC gateway, a weather station, a smart meter's local API) and reads
 * one value per metric by path, stamped `now`. A metric whose path is missing or not a number is
 * skipped (logged once until it comes back); a failed request or a body that is not JSON fails
 * the sample.
 */
export class HttpJsonSource implements Source {
  readonly id: string;
  readonly metrics: readonly string[];
  private readonly paths: Array<[string, PathStep[], string]>;
  private readonly log: Logger;
  private readonly missing = new Set<string>();

  constructor(private readonly opts: HttpJsonSourceOptions) {
    this.id = `http:${opts.name}`;
    this.log = opts.logger ?? silentLogger;
    this.paths = Object.entries(opts.metrics).map(([metric, path]) => [metric, parseJsonPath(path), path]);
    if (this.paths.length === 0) throw new Error('an HTTP source needs at least one metric');
    this.metrics = Object.freeze(this.paths.map(([m]) => m));
  }

  async sample(now: number): Promise<Reading[]> {
    const timeout = this.opts.timeoutMs ?? 5000;
    const f = this.opts.fetch ?? fetch;
    let res: Response;
    try {
      res = await f(this.opts.url, {
        headers: { accept: 'application/json', ...this.opts.headers },
        signal: AbortSignal.timeout(timeout),
      });
    } catch (err) {
      const e = err as Error;
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${timeout} ms`
          : ((e.cause as Error | undefined)?.message ?? e.message);
      throw new Error(`GET ${this.opts.url} failed: ${why}`, { cause: err });
    }
    const body = await res.text();
    if (!res.ok) throw new Error(`GET ${this.opts.url} answered ${res.status} ${res.statusText}`);
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      throw new Error(`GET ${this.opts.url} did not answer JSON (starts ${JSON.stringify(body.slice(0, 40))})`);
    }
    const out: Reading[] = [];
    for (const [metric, steps, path] of this.paths) {
      const value = toValue(valueAt(doc, steps));
      if (value === undefined) {
        if (!this.missing.has(metric))
          this.log.warn(
            { source: this.id, metric, path },
            'no number at this path in the answer; skipping the metric until there is',
          );
        this.missing.add(metric);
        continue;
      }
      this.missing.delete(metric);
      out.push({ metric, value, ts: now });
    }
    return out;
  }
}
