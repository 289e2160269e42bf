import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJsonReadings } from '@opsroom/models';
import { silentLogger, type Logger } from '../log/logger.js';
import type { HealthCounters } from './health-readings.js';
import { HealthReporter } from './health-reporter.js';
import { readStatusFile, type AgentStatus } from './status-file.js';

const dir = mkdtempSync(join(tmpdir(), 'opsroom-health-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 11, 5, 12);
const zero: HealthCounters = {
  queued: 0,
  dropped: 0,
  published: 0,
  sampled: 0,
  rejected: 0,
  sourceErrors: 0,
  reconnects: 0,
  directives: 0,
  connected: false,
  lastPublishAt: null,
  startedAt: T0,
};

function reporter(counters: () => HealthCounters, file?: string, logger: Logger = silentLogger, send = true) {
  const sent: string[] = [];
  const r = new HealthReporter({
    deviceId: 'unit-1',
    logger,
    now: () => T0 + 5000,
    intervalMs: 60_000,
    statusFile: file,
    counters,
    status: (c, stopped): AgentStatus => ({
      ...c,
      deviceId: 'unit-1',
      pid: 1,
      brokerUrl: 'mqtt://x',
      writtenAt: T0 + 5000,
      statusIntervalMs: 60_000,
      stopped,
      lastDirective: null,
      sources: [],
    }),
    publishStatus: (p) => (sent.push(p), send),
    outboxMaxReadings: 100,
  });
  return { r, sent };
}

describe('HealthReporter', () => {
  it('publishes the counters as health readings stamped by the injected clock, and rewrites the status file', () => {
    const file = join(dir, 'a.status.json');
    const { r, sent } = reporter(() => ({ ...zero, sampled: 7, queued: 3 }), file);
    r.report();
    const { readings, rejections } = decodeJsonReadings(sent[0]!, T0 + 5000);
    expect(rejections).toEqual([]);
    expect(readings.find((x) => x.metric === 'agent_sampled_total')).toEqual({
      metric: 'agent_sampled_total',
      value: 7,
      ts: T0 + 5000,
    });
    expect(readings.find((x) => x.metric === 'agent_buffer_depth')?.value).toBe(3);
    expect(readStatusFile(file)).toMatchObject({ sampled: 7, stopped: false });
    expect(r.reportCount).toBe(1);
    r.writeFinal({ ...zero, sampled: 8 });
    expect(readStatusFile(file)).toMatchObject({ sampled: 8, stopped: true });
  });

  it('warns once about readings the outbox dropped since the last report, not again for the same ones', () => {
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (_o: unknown, m?: string) => void warnings.push(m ?? '') };
    let dropped = 0;
    const { r } = reporter(() => ({ ...zero, dropped }), undefined, log);
    r.report();
    dropped = 5;
    r.report();
    r.report();
    dropped = 6;
    r.report();
    expect(warnings.filter((w) => /outbox full/.test(w))).toHaveLength(2);
  });

  it('counts only reports that went out; a status file it cannot write is a warning, not a crash', () => {
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (_o: unknown, m?: string) => void warnings.push(m ?? '') };
    const { r } = reporter(() => zero, join(dir, 'no-such-dir', 'x.json'), log, false);
    expect(() => r.report()).not.toThrow();
    expect(r.reportCount).toBe(0);
    expect(warnings).toContain('could not write the status file');
  });
});
