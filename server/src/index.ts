// The public surface of @opsroom/server.
export { startOpsroom, DEFAULT_UI_DIR, ROLLUP_DEVICE } from './start.js';
export type { RunningOpsroom, StartOptions } from './start.js';
export { build } from './http/app.js';
export type { AppServices } from './http/services.js';
export { resolveConfig, OPTIONS } from './config/config.js';
export type { OpsroomConfig } from './config/config.js';
export { DEFAULTS } from './config/defaults.js';
export { OpsError, ERRORS } from './errors.js';
