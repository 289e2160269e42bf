// A child process serving /api/history over a year of one-minute data (historyYear), so the event
// loop measured is the server's alone, not shared with the load-generating client. Spawned by
// historyYearServer() (history-http.ts); talks over IPC: it sends { base } when listening, then
// answers 'probe-start' / 'probe-stop' (with the LoopBlocks) and exits on 'close'.
import { historyYear } from './history-http.js';
import { probeLoopBlocks } from './loop-block.js';

const send = (m: unknown): void => void process.send!(m);
const h = await historyYear(JSON.parse(process.argv[2] ?? '["r/a/a1"]') as string[]);
// The year's writes leave garbage whose collection is not the reads' cost: collect it first (spawned with --expose-gc).
(globalThis as { gc?: () => void }).gc?.();
let probe: ReturnType<typeof probeLoopBlocks> | null = null;
process.on('message', (m: unknown) => {
  if (m === 'probe-start') {
    probe = probeLoopBlocks();
    send({ started: true });
  } else if (m === 'probe-stop') {
    send({ blocks: probe?.stop() ?? null });
    probe = null;
  } else if (m === 'close') {
    void h.close().then(() => process.exit(0));
  }
});
send({ base: h.base });
