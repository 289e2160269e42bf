import type { Model } from '@opsroom/models';
import { readHistory } from '../history/read-history.js';
import type { Logger } from '../log/logger.js';
import type { TimeSeriesStore } from '../store/store.js';
import type { FederationState } from './federation-state.js';

/** What a `rollup` message carries: the top node's value per indicator for each period start it covers. */
export interface RollupBody {
  node: string;
  periodMs: number;
  /** The periods covered: [from, to), starts at multiples of periodMs. */
  from: number;
  to: number;
  /** Per indicator, [period start, value] for each period that had readings. */
  values: Record<string, Array<[number, number]>>;
}

export interface RollupUplinkOptions {
  state: FederationState;
  store: TimeSeriesStore;
  model: () => Model;
  /** The parent server (the outbox's peer) and this server's top node. */
  parent: string;
  top: string;
  periodMs: number;
  /**
   * How long after a period ends it is computed: readings a device sends late (its agent's store-and-forward after a
   * dropped link or a restart of this server) land in the store first. Default 3 periods.
   */
  settleMs?: number;
  /** At most this many periods per message (a catch-up after a long stop goes in several). Default 60. */
  maxPeriods?: number;
  now: () => number;
  logger: Logger;
}

/**
 * The roll-ups a child server sends up (issue 19 point 2): once a period is over (and settled), its top node's value
 * per indicator is computed from the *stored* readings with the model's roll-up rules (history/read-history.ts, the
 * same maths as the live view) and queued in the outbox together with the cursor's advance, in one transaction. A
 * restart, a crash or an uplink outage continues from the cursor: no period is skipped, none is queued twice.
 */
export class RollupUplink {
  private readonly settleMs: number;
  private readonly maxPeriods: number;
  private readonly cursorName: string;
  private running = false;
  private readonly startedAt: number;

  constructor(private readonly o: RollupUplinkOptions) {
    this.startedAt = o.now();
    this.settleMs = o.settleMs ?? 3 * o.periodMs;
    this.maxPeriods = o.maxPeriods ?? 60;
    this.cursorName = `rollup:${o.top}`;
  }

  /** Queues every settled period not queued yet; returns how many periods it queued. Never runs twice at once. */
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      let queued = 0;
      for (;;) {
        const n = await this.queueNext();
        if (n === 0) return queued;
        queued += n;
      }
    } finally {
      this.running = false;
    }
  }

  private async queueNext(): Promise<number> {
    const { state, periodMs: p } = this.o;
    const now = this.o.now();
    const settled = Math.floor((now - this.settleMs) / p) * p; // periods before this have settled
    let from = state.cursor(this.cursorName);
    if (from === undefined) {
      // First start: from the period now under way (nothing older was this server's to send).
      from = Math.floor(now / p) * p;
      state.setCursor(this.cursorName, from);
    }
    if (from >= settled) return 0;
    // After a restart, periods from before it wait one settle delay: the devices' agents send what they kept while
    // this server was down (their store-and-forward) as soon as they reconnect, and it must be in those periods.
    if (from < this.startedAt && now - this.startedAt < this.settleMs) return 0;
    const to = Math.min(settled, from + this.maxPeriods * p);
    const model = this.o.model();
    const values: RollupBody['values'] = {};
    for (const ind of model.indicators) {
      const answer = await readHistory(
        this.o.store,
        model,
        { node: this.o.top, indicator: ind.id, from, to: to - 1, windowMs: p, aggregate: 'mean', maxPoints: 10_000 },
        { rollupPeriodMs: p },
      );
      values[ind.id] = answer.points.filter((pt) => pt.ts >= from && pt.ts < to).map((pt) => [pt.ts, pt.value]);
    }
    const body: RollupBody = { node: this.o.top, periodMs: p, from, to, values };
    // The cursor may have moved meanwhile only through this object (tick never overlaps): queue and advance together.
    state.transaction(() => {
      state.append(this.o.parent, 'rollup', body);
      state.setCursor(this.cursorName, to);
    });
    const periods = (to - from) / p;
    this.o.logger.debug({ node: this.o.top, from, to, periods }, 'federation: roll-ups queued for the parent server');
    return periods;
  }
}
