// The public surface of @opsroom/models, shared by server, edge agent and UI.
export * from './readings/topics.js';
export * from './readings/reading.js';
export * from './readings/json-codec.js';
export * from './readings/line-protocol.js';
export * from './readings/decode.js';
export * from './readings/columns.js';
export * from './vsm/model.js';
export * from './vsm/rollup.js';
export * from './vsm/indices.js';
export * from './alerts/alert.js';
export * from './events.js';
export * from './random.js';
export * from './logger.js';
export * from './redact.js';
export * from './readings/decode-columns.js';
export * from './alerts/maintenance.js';
