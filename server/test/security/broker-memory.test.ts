import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startConfiguredMosquitto, type ConfiguredMosquitto } from '../support/configured-mosquitto.js';
import { demoCredentials, EXAMPLE_MODEL } from '../support/demo-fixture.js';
import { mib, residentBytes, sampleResident } from '../support/process-memory.js';
import { closesWithin, openSocket, rawConnect, remainingLength } from '../support/raw-mqtt.js';
import { findBinary } from '../support/require-binary.js';
import { memoryAfterGc, spawnServer, type ServerProcess } from '../support/server-process.js';
import { recordAttacks } from '../support/attack-ledger.js';

/**
 * Issue 16 point 2, the original attack: four unauthenticated sockets announcing a 200 MiB CONNECT
 * and sending its body as fast as the broker reads it grew the server from 391 to 1,064 MiB, and it
 * stayed there. Here the broker runs in its own process (the whole server, with --expose-gc, so
 * its memory is its own and can be measured after a full collection), the attack is repeated three
 * times, and the server's resident size is sampled throughout: its peak stays within a few tens of
 * MiB of the baseline and, after the attack, it is back near the baseline. Without the packet guard
 * the same attack buffers what it sends (up to 4 × 64 MiB here) for as long as the sockets stay
 * open: the peak check fails by hundreds of MiB.
 */
const MiB = 1024 * 1024;
const ANNOUNCED = 200 * MiB;
/** What each attacking socket sends at most of its announced body (bounded, so the test stays cheap even when it fails). */
const SENT_AT_MOST = 64 * MiB;
const ROUNDS = 3;
const A = 'taller-1-plc';
const creds = demoCredentials();

function drainedOrClosed(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}

/**
 * Four sockets announce a 200 MiB CONNECT each, then push its body 1 MiB at a time until the broker
 * hangs up (or SENT_AT_MOST is sent). The attackers never close: resolves with whether the broker
 * closed every one of them within `ms` of the attack, and the bytes the sockets got out.
 */
async function hugeConnects(port: number, ms = 3000): Promise<{ closedByBroker: boolean[]; sentMiB: number }> {
  const sockets = await Promise.all([1, 2, 3, 4].map(() => openSocket(port)));
  const chunk = Buffer.alloc(MiB, 0x41);
  let sent = 0;
  await Promise.all(
    sockets.map(async (s) => {
      s.on('error', () => undefined);
      s.write(Buffer.concat([Buffer.from([0x10]), remainingLength(ANNOUNCED)]));
      for (let n = 0; n < SENT_AT_MOST && !s.destroyed; n += MiB) {
        if (!s.write(chunk)) await drainedOrClosed(s);
        sent += MiB;
      }
    }),
  );
  const closedByBroker = await Promise.all(sockets.map((s) => closesWithin(s, ms)));
  for (const s of sockets) s.destroy();
  return { closedByBroker, sentMiB: Math.round(sent / MiB) };
}

describe('after unauthenticated sockets announce 200 MiB packets, memory returns to its level', () => {
  describe('on the embedded broker (the whole server in a child process)', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-broker-memory-'));
    let server: ServerProcess;
    let mqttPort: number;
    beforeAll(async () => {
      server = await spawnServer({ dataDir, model: EXAMPLE_MODEL }, 30_000, { nodeArgs: ['--expose-gc'], ipc: true });
      mqttPort = Number(new URL(server.mqttUrl).port);
    }, 40_000);
    afterAll(async () => {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps the peak within 48 MiB of the baseline and comes back within 24 MiB, over three rounds', async () => {
      const pid = server.child.pid!;
      // Warm up the paths a device takes, then take the baseline after a full collection.
      expect(await rawConnect(mqttPort, { username: A, password: creds.devices[A]! })).toBe(0);
      await memoryAfterGc(server.child);
      const baseline = residentBytes(pid);
      const sampler = sampleResident(pid);
      const rounds: Array<{ closedByBroker: boolean[]; sentMiB: number }> = [];
      for (let i = 0; i < ROUNDS; i++) rounds.push(await hugeConnects(mqttPort));
      const peak = sampler.stop();
      await memoryAfterGc(server.child);
      const after = residentBytes(pid);
      const report = { baselineMiB: mib(baseline), peakMiB: mib(peak), afterMiB: mib(after), rounds };
      // Every attacking socket was closed by the broker, having got out at most a few MiB (kernel buffers).
      expect({ ...report, closed: rounds.flatMap((r) => r.closedByBroker).every(Boolean) }).toEqual({
        ...report,
        closed: true,
      });
      expect({ ...report, peakGrowthMiB: mib(peak - baseline) < 48 }).toEqual({ ...report, peakGrowthMiB: true });
      expect({ ...report, growthAfterMiB: mib(after - baseline) < 24 }).toEqual({ ...report, growthAfterMiB: true });
      // And the server still admits devices.
      expect(await rawConnect(mqttPort, { username: A, password: creds.devices[A]! })).toBe(0);
      recordAttacks('CONNECTs announcing 200 MiB, memory measured (embedded broker)', 4 * ROUNDS);
    }, 60_000);
  });

  const mosquitto = findBinary('mosquitto');
  (mosquitto ? describe : describe.skip)('on Mosquitto configured by opsroom broker-config (max_packet_size)', () => {
    let broker: ConfiguredMosquitto;
    beforeAll(async () => {
      broker = await startConfiguredMosquitto(mosquitto!, 'server-pw-for-the-memory-test');
    }, 30_000);
    afterAll(async () => {
      await broker?.stop();
    });

    it('closes the sockets at their fixed header and keeps its resident size within 8 MiB, over three rounds', async () => {
      expect(await rawConnect(broker.port, { username: A, password: creds.devices[A]! })).toBe(0);
      const baseline = residentBytes(broker.pid);
      const sampler = sampleResident(broker.pid);
      const rounds: Array<{ closedByBroker: boolean[]; sentMiB: number }> = [];
      for (let i = 0; i < ROUNDS; i++) rounds.push(await hugeConnects(broker.port));
      const peak = sampler.stop();
      const after = residentBytes(broker.pid);
      const report = { baselineMiB: mib(baseline), peakMiB: mib(peak), afterMiB: mib(after), rounds };
      expect({ ...report, closed: rounds.flatMap((r) => r.closedByBroker).every(Boolean) }).toEqual({
        ...report,
        closed: true,
      });
      expect({ ...report, peakGrowthMiB: mib(peak - baseline) < 8 }).toEqual({ ...report, peakGrowthMiB: true });
      expect({ ...report, growthAfterMiB: mib(after - baseline) < 4 }).toEqual({ ...report, growthAfterMiB: true });
      expect(await rawConnect(broker.port, { username: A, password: creds.devices[A]! })).toBe(0);
      recordAttacks('CONNECTs announcing 200 MiB, memory measured (Mosquitto)', 4 * ROUNDS);
    }, 60_000);
  });
});
