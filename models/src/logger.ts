/** The logging surface every module of every package takes (pino's, so fastify's `app.log` fits as is). */
export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
}

/** The default in library code: says nothing. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };
