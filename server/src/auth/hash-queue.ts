/**
 * A bounded queue for password hashing. scrypt runs on libuv's thread pool (4 threads by default),
 * which HTTP logins share with MQTT authentication: without a bound, a flood of bad MQTT connects
 * fills the pool's queue and a valid login waits behind hundreds of hashes. Each caller class gets
 * its own queue with a concurrency (threads it may hold at once) and a maximum of waiting tasks;
 * beyond that, {@link HashQueue.run} answers null at once and the caller refuses the attempt.
 *
 * @example
 *   const mqttHashes = new HashQueue({ concurrency: 1, maxQueued: 64 });
 *   const ok = await mqttHashes.run(() => verifySecretAsync(secret, hash)); // null: too busy, refuse
 */
export interface HashQueueOptions {
  /** Tasks running at once (thread-pool threads this caller may hold). */
  concurrency: number;
  /** Tasks waiting beyond those; more are refused. */
  maxQueued: number;
}

export class HashQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly opts: HashQueueOptions) {}

  /** Runs `task` when a slot is free; null (without running it) when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T> | null {
    if (this.running >= this.opts.concurrency && this.waiting.length >= this.opts.maxQueued) return null;
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.waiting.shift()?.();
          });
      };
      if (this.running < this.opts.concurrency) start();
      else this.waiting.push(start);
    });
  }

  /** Tasks running and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
