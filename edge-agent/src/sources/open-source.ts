// The source a configuration describes: the registry of source kinds opens it (source-kinds.ts).
export { openSource, type OpenSourceContext } from './source-kinds.js';
