import type { Logger } from '@opsroom/models';

/** The logger the store layer accepts: the shared Logger surface (pino's), defaulting to silence. */
export type StoreLogger = Logger;
export { silentLogger } from '@opsroom/models';
