import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthCounters } from './health-readings.js';

/** One source as the status file reports it. */
export interface SourceStatus {
  name: string;
  id: string;
  intervalMs: number;
  /** Readings this source produced since start. */
  readings: number;
  /** Samples that failed, and the last failure's message. */
  errors: number;
  lastError: string | null;
  /** When its last sample succeeded (ms since epoch), null before the first. */
  lastSampleAt: number | null;
  /** Ticks skipped because the previous sample had not finished. */
  skipped: number;
}

/**
 * What a running agent writes to `<bufferDir>/<deviceId>.status.json` every `statusIntervalMs`:
 * the counters of its health readings, plus what only the local status shows.
 */
export interface AgentStatus extends HealthCounters {
  deviceId: string;
  pid: number;
  /** The broker URL without any password in it. */
  brokerUrl: string;
  writtenAt: number;
  statusIntervalMs: number;
  /** True in the last report written by a clean stop. */
  stopped: boolean;
  lastDirective: unknown;
  sources: SourceStatus[];
}

/** The status file of a device in a buffer directory. */
export const statusFilePath = (bufferDir: string, deviceId: string) => join(bufferDir, `${deviceId}.status.json`);

/** Writes the status atomically (temporary file, then rename), so a reader never sees half of it. */
export function writeStatusFile(file: string, status: AgentStatus): void {
  writeFileSync(file + '.tmp', JSON.stringify(status, null, 2) + '\n');
  renameSync(file + '.tmp', file);
}

/** Reads a status file; null when there is none. Throws when it exists but is not a status. */
export function readStatusFile(file: string): AgentStatus | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const s = JSON.parse(text) as AgentStatus;
  if (typeof s?.deviceId !== 'string' || typeof s.writtenAt !== 'number')
    throw new Error(`${file} is not an agent status file`);
  return s;
}

/** Whether a process with this pid exists (signal 0 tests without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the agent that wrote `s` still runs: not cleanly stopped, its process exists and its
 * last report is at most three intervals old.
 */
export function isRunning(s: AgentStatus, now: number, pidAlive: (pid: number) => boolean = alive): boolean {
  return !s.stopped && pidAlive(s.pid) && now - s.writtenAt <= 3 * s.statusIntervalMs + 1000;
}

const ago = (now: number, at: number | null) =>
  at === null ? 'never' : `${new Date(at).toISOString()} (${Math.max(0, Math.round((now - at) / 1000))} s ago)`;

/** The status as a few lines for a person (`opsroom-agent --status`). */
function agentLine(s: AgentStatus, now: number, running: boolean): string {
  if (running) return `running (pid ${s.pid}) since ${new Date(s.startedAt).toISOString()}`;
  if (s.stopped) return `stopped at ${new Date(s.writtenAt).toISOString()}`;
  return `not running (last report ${ago(now, s.writtenAt)})`;
}

export function formatStatus(s: AgentStatus, now: number, running: boolean): string {
  const lines = [
    `device      ${s.deviceId}`,
    `agent       ${agentLine(s, now, running)}`,
    `broker      ${s.brokerUrl} ${s.connected ? 'connected' : 'NOT connected'}; ${s.reconnects} reconnect(s)`,
    `buffer      ${s.queued} reading(s) waiting; ${s.dropped} dropped because the buffer was full`,
    `published   ${s.published} reading(s); last ${ago(now, s.lastPublishAt)}`,
    `sampled     ${s.sampled} reading(s); ${s.rejected} rejected; ${s.sourceErrors} source error(s)`,
    `directives  ${s.directives} received`,
    `sources`,
    ...s.sources.map(
      (x) =>
        `  ${x.name.padEnd(12)} ${x.id} every ${x.intervalMs} ms: ${x.readings} ` +
        `reading(s), last ${ago(now, x.lastSampleAt)}${x.errors ? `; ${x.errors} error(s), last: ${x.lastError}` : ''}`,
    ),
  ];
  return lines.join('\n') + '\n';
}
