/**
 * Start-up and shutdown as ordered lists of components. Each component that started is recorded;
 * `stop()` stops them in reverse order, each once, logging (not throwing) a failure so the rest
 * still stop. A component owns its timers: `Ticker` is the periodic kind.
 */
import { silentLogger, type Logger } from '../log/logger.js';

/** A part of the running server with a start and a stop of its own. */
export interface Component {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export class Lifecycle {
  private readonly started: Array<{ name: string; stop: () => unknown }> = [];
  private stopping: Promise<void> | null = null;

  constructor(private log: Logger = silentLogger) {}

  /** The logger used from now on (the process logger exists only once HTTP is built). */
  useLogger(log: Logger): void {
    this.log = log;
  }

  /** Records something already running (opened by its own factory), stopped by `stop`. */
  own<T>(name: string, running: T, stop: (running: T) => unknown): T {
    this.started.push({ name, stop: () => stop(running) });
    return running;
  }

  /** Starts a component and records it. */
  async start<T extends Component>(component: T): Promise<T> {
    await component.start();
    this.started.push({ name: component.name, stop: () => component.stop() });
    return component;
  }

  /** Names of what runs, in start order. */
  names(): string[] {
    return this.started.map((s) => s.name);
  }

  /** Stops everything in reverse start order. Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      while (this.started.length) {
        const { name, stop } = this.started.pop()!;
        try {
          this.log.debug({ component: name }, 'stopping');
          await stop();
        } catch (err) {
          this.log.warn({ err, component: name }, 'stopping failed; stopping the rest');
        }
      }
    })());
  }
}

export interface TickerOptions {
  readonly name: string;
  readonly everyMs: number;
  readonly tick: () => void;
  /** Runs one tick at start (e.g. deadlines that ran out while the server was down). */
  readonly tickAtStart?: boolean;
  /** Does not keep the process alive by itself. */
  readonly unref?: boolean;
  readonly logger?: Logger;
}

/** A timer as a component: a tick that throws is logged and the next tick runs (a timer never stops the process). */
export class Ticker implements Component {
  readonly name: string;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: TickerOptions) {
    this.name = opts.name;
  }

  start(): void {
    if (this.timer) return;
    if (this.opts.tickAtStart) this.run();
    this.timer = setInterval(() => this.run(), this.opts.everyMs);
    if (this.opts.unref) this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One tick now (also what the timer calls). */
  run(): void {
    try {
      this.opts.tick();
    } catch (err) {
      (this.opts.logger ?? silentLogger).error(
        { err, component: this.name },
        `${this.name}: a tick failed; it runs again on the next one`,
      );
    }
  }
}
