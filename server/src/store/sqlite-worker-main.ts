// The writer thread of SqliteWorkerStore: owns the write connection (a SqliteStore) and runs the
// requests the main thread posts, one at a time in arrival order. Started through
// sqlite-worker-entry.js (which registers tsx first).
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore } from './sqlite-store.js';
import type { SqliteStoreOptions } from './sqlite-store.js';
import type { WriterRequest, WriterResponse } from './sqlite-worker-protocol.js';
import { unpackReadings } from './sqlite-worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('sqlite-worker-main runs as a worker thread of SqliteWorkerStore');
const { dataDir, options } = workerData as { dataDir: string; options: Omit<SqliteStoreOptions, 'logger'> };
const post = (m: WriterResponse): void => port.postMessage(m);

let store: SqliteStore;
try {
  store = SqliteStore.open(dataDir, options);
  post({ type: 'ready', health: store.health(), rejected: store.rejectedPoints });
} catch (err) {
  post({ type: 'failed', message: (err as Error).message });
  throw err;
}

// One request at a time: a retention run (which yields between transactions) finishes before the next write starts.
let queue: Promise<void> = Promise.resolve();
port.on('message', (req: WriterRequest) => {
  queue = queue.then(() => handle(req));
});

async function handle(req: WriterRequest): Promise<void> {
  try {
    let result: number | Awaited<ReturnType<SqliteStore['applyRetention']>> | undefined;
    switch (req.op) {
      case 'writeBatch':
        await store.writeBatch(req.points);
        break;
      case 'writeReadings':
        await store.writeReadings(unpackReadings(req.packed));
        break;
      case 'deleteBefore':
        result = await store.deleteBefore(req.before);
        break;
      case 'applyRetention':
        result = await store.applyRetention(req.policy, req.now);
        break;
      case 'close':
        await store.close();
        break;
    }
    post({ type: 'done', id: req.id, ok: true, result, health: store.health(), rejected: store.rejectedPoints });
  } catch (err) {
    const e = err as Error;
    post({
      type: 'done',
      id: req.id,
      ok: false,
      name: e.name,
      message: e.message,
      health: store.health(),
      rejected: store.rejectedPoints,
    });
  }
}
