// The HTTP API's schemas (TypeBox): the server validates and documents with them; every package
// derives its request and response types from them.
export * from './alert-schema.js';
export * from './requests.js';
export * from './history.js';
export * from './admin.js';
export * from './live.js';
export * from './session.js';
export * from './alarm-health.js';
export * from './operations.js';
export * from './model-view.js';
