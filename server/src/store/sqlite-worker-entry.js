// Entry of SqliteWorkerStore's writer thread: plain JS so that it starts the same under the tsx
// runtime and under jest (@swc/jest does not reach worker threads), then runs the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-worker-main.ts');
