// Learns capability and potentiality from the store's history (issue 20 point 3): at start-up, then hourly and
// after a model reload, for the nodes and indicators whose model says `learned` (learn-levels.ts has the rule).
import type { Model } from '@opsroom/models';
import { readHistory } from '../history/read-history.js';
import type { Component } from '../lifecycle/lifecycle.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { TimeSeriesStore } from '../store/store.js';
import { DAY_MS, HOUR_MS, learnLevel, learnTargets } from './learn-levels.js';
import { LEVEL_KINDS, type LearnedLevels } from './levels.js';

export interface LevelLearnerOptions {
  model: () => Model;
  store: TimeSeriesStore;
  /** Where learned values go (the live model: its indices follow at its next flush). */
  live: { setLearned(learned: LearnedLevels): void };
  now: () => number;
  /** The live model's roll-up period, ms (a parent's history is rolled up at least this coarsely). */
  rollupPeriodMs: number;
  /** Between passes, ms (default an hour). */
  everyMs?: number;
  logger?: Logger;
}

/** What one pass found. */
export interface LearnPass {
  learned: LearnedLevels;
  /** Levels with a rule: learned, and still waiting for enough history (their fallback or roll-up meanwhile). */
  counts: { learned: number; waiting: number; failed: number };
}

/**
 * A component: its start() waits for the first pass (so the first values served already carry what history
 * teaches), then passes run every `everyMs`. Each pass reads, per node and indicator that learns, the hourly means
 * of its actuality over the longest of its rules' windows (the store's hour tier: a year is 8,760 windows per leaf;
 * a parent's are rolled up from its leaves', as GET /api/history does), one read at a time. A read that fails keeps
 * that node's previous values. Passes never overlap: a pass asked for during one runs once it ends.
 */
export class LevelLearner implements Component {
  readonly name = 'level learner';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<LearnPass> | null = null;
  private again = false;
  private learned: LearnedLevels = new Map();

  constructor(private readonly opts: LevelLearnerOptions) {}

  async start(): Promise<void> {
    if (this.timer) return;
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.everyMs ?? HOUR_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Runs a pass (or, while one runs, one more after it) and resolves with what it found; never rejects. */
  refresh(): Promise<LearnPass> {
    if (this.running) {
      this.again = true; // the running pass loops once more
      return this.running;
    }
    const run = async (): Promise<LearnPass> => {
      let pass: LearnPass;
      do {
        this.again = false;
        pass = await this.pass();
      } while (this.again);
      return pass;
    };
    this.running = run().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<LearnPass> {
    const log = this.opts.logger ?? silentLogger;
    const model = this.opts.model();
    const now = this.opts.now();
    const learned = new Map<string, Map<string, { capability?: number; potentiality?: number }>>();
    const counts = { learned: 0, waiting: 0, failed: 0 };
    for (const t of learnTargets(model)) {
      let values: { capability?: number; potentiality?: number } = {};
      try {
        const hours = Math.ceil((t.windowDays * DAY_MS) / HOUR_MS);
        const answer = await readHistory(
          this.opts.store,
          model,
          {
            node: t.node,
            indicator: t.indicator,
            from: now - hours * HOUR_MS,
            to: now,
            windowMs: HOUR_MS,
            aggregate: 'mean',
            maxPoints: hours + 2,
          },
          { rollupPeriodMs: this.opts.rollupPeriodMs },
        );
        for (const kind of LEVEL_KINDS) {
          const rule = t.rules[kind];
          if (!rule) continue;
          const v = learnLevel(answer.points, rule, now);
          if (v === undefined) counts.waiting++;
          else {
            values[kind] = v;
            counts.learned++;
          }
        }
      } catch (err) {
        counts.failed++;
        values = { ...this.learned.get(t.node)?.get(t.indicator) };
        log.warn({ err, node: t.node, indicator: t.indicator }, 'learning capability/potentiality failed; kept as was');
      }
      if (Object.keys(values).length === 0) continue;
      let byIndicator = learned.get(t.node);
      if (!byIndicator) learned.set(t.node, (byIndicator = new Map()));
      byIndicator.set(t.indicator, values);
    }
    this.learned = learned;
    this.opts.live.setLearned(learned);
    if (counts.learned + counts.waiting + counts.failed > 0) log.info(counts, 'capability and potentiality learned');
    return { learned, counts };
  }
}
