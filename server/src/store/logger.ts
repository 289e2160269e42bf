/**
 * The tiny logger the store layer accepts: a subset of pino's (fastify's logger), so the server can
 * pass its own. Library code defaults to {@link silentLogger}.
 */
export interface StoreLogger {
  info(obj: unknown, ...args: unknown[]): void;
  warn(obj: unknown, ...args: unknown[]): void;
  error(obj: unknown, ...args: unknown[]): void;
  debug(obj: unknown, ...args: unknown[]): void;
}

const noop = (): void => {};

/** A logger that drops everything. */
export const silentLogger: StoreLogger = Object.freeze({ info: noop, warn: noop, error: noop, debug: noop });
