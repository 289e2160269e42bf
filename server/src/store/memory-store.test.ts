import { MemoryStore } from './memory-store.js';
import { runStoreContract } from './store.contract.js';

runStoreContract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));
