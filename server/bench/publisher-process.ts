/**
 * The bench's device in a process of its own: one mqtt.js client publishing the same messages as
 * the in-process publisher ({@link makeMessages}, {@link publishAll}: window of 500 at QoS 1). The
 * Mosquitto rows use it for the raw broker and the pipeline alike, so that the measured process
 * (the raw subscriber, or the server) does not also run the device's client on its event loop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { makeMessages, publishAll, type DeviceJob } from './pipeline.js';

type Job = DeviceJob;

type FromChild = { ready: true } | { done: true } | { error: string };

/** A connected publisher process; `publish()` sends every message and resolves once the last is acknowledged. */
export interface PublisherProcess {
  publish(): Promise<void>;
  close(): Promise<void>;
}

export async function publisherProcess(job: Job): Promise<PublisherProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--publisher', JSON.stringify(job)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<FromChild>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the publisher process exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as FromChild);
      });
    });
  const check = (m: FromChild) => {
    if ('error' in m) throw new Error(`publisher process: ${m.error}`);
  };
  check(await next());
  return {
    async publish() {
      const done = next();
      child.send('go');
      check(await done);
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.send('end');
      await exited;
    },
  };
}

async function child(job: Job): Promise<void> {
  const send = (m: FromChild) => process.send!(m);
  try {
    const { messages } = makeMessages(job.payload, job.count, job.t0);
    const pub = await mqtt.connectAsync(job.url, {
      clientId: job.clientId,
      ...(job.username ? { username: job.username, password: job.password } : {}),
    });
    process.on('message', (m) => {
      if (m === 'go')
        publishAll(pub, job.topic, messages, job.qos).then(
          () => send({ done: true }),
          (err: Error) => send({ error: err.message }),
        );
      else if (m === 'end') void pub.endAsync().then(() => process.exit(0));
    });
    send({ ready: true });
  } catch (err) {
    send({ error: (err as Error).message });
    process.exit(1);
  }
}

if (process.argv[2] === '--publisher') await child(JSON.parse(process.argv[3]!) as Job);
