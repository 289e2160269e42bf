import type { Logger } from '@opsroom/models';

// The Logger surface and the silent default are shared by every package (models/src/logger.ts).
export { silentLogger, type Logger } from '@opsroom/models';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * One JSON line per entry on a writable stream (stderr by default), pino's shape:
 * `{"level":"info","time":1764244800000,"msg":"connected","deviceId":"taller-1-plc"}`.
 * For the CLI; libraries take a Logger and default to `silentLogger`.
 */
export function jsonLineLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const min = RANK[level];
  const entry = (lvl: LogLevel) => (obj: unknown, msg?: string) => {
    if (RANK[lvl] < min) return;
    const fields =
      typeof obj === 'object' && obj !== null && !(obj instanceof Error) ? (obj as Record<string, unknown>) : {};
    const text = typeof obj === 'string' ? obj : msg;
    const err = obj instanceof Error ? { err: { message: obj.message, stack: obj.stack } } : {};
    write(
      JSON.stringify({
        level: lvl,
        time: Date.now(),
        ...fields,
        ...err,
        ...(text !== undefined ? { msg: text } : {}),
      }) + '\n',
    );
  };
  return { debug: entry('debug'), info: entry('info'), warn: entry('warn'), error: entry('error') };
}
