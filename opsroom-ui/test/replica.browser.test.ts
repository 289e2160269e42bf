import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Alert } from '@opsroom/models';
import type { RunningOpsroom } from '@opsroom/server';
import { startReplica, type RunningReplica } from '../../server/src/replica/start-replica.js';
import { redisBinary, startRedis, type RunningRedis } from '../../server/test/support/redis.js';
import {
  ALERT_DEVICE,
  ALERT_NODE,
  ARTIFACTS,
  chromiumPath,
  collectErrors,
  collectFailedRequests,
  demoSecrets,
  launchChromium,
  publishJump,
  signIn,
  startUiServer,
  UI_DIR,
} from './browser-support.js';

const d = chromiumPath && redisBinary() ? describe : describe.skip;

/**
 * Issue 19 point 4 in a real browser: a planner's room is served by a UI replica; the alert the owner raises (its
 * device on the owner's broker) appears in that room live, through Redis, with no request of the page failing.
 */
d('an ops room served by a UI replica', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-ui-replica-'));
  let redis: RunningRedis | undefined;
  let owner: RunningOpsroom | undefined;
  let replica: RunningReplica | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    redis = await startRedis(redisBinary()!);
    owner = await startUiServer(join(dir, 'data'), { redisUrl: redis.url });
    replica = await startReplica({
      host: '127.0.0.1',
      httpPort: 0,
      replicaOf: owner.httpUrl,
      redisUrl: redis.url,
      uiDir: UI_DIR,
      logger: false,
    });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await replica?.close();
    await owner?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows the owner's new alert live in the replica's room", async () => {
    const secrets = demoSecrets();
    const page = await browser!.newPage({ viewport: { width: 1366, height: 768 } });
    const errors = collectErrors(page);
    const failed = collectFailedRequests(page);
    await page.goto(`${replica!.httpUrl}/#/valle`);
    await signIn(page, 'planner', secrets.users.planner as string);
    await page.locator('.connection[data-status="live"]').waitFor({ timeout: 15_000 });
    const sockets = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    expect(sockets.every((u) => !u.startsWith(owner!.httpUrl))).toBe(true); // the page talks to the replica only

    await publishJump(owner!.mqttUrl, ALERT_DEVICE, secrets.devices[ALERT_DEVICE] as string);
    let alert: Alert | undefined;
    for (const until = Date.now() + 20_000; !alert && Date.now() < until; await page.waitForTimeout(200)) {
      const res = await page.request.get(`${replica!.httpUrl}/api/alerts?state=open`);
      expect(res.ok()).toBe(true);
      alert = ((await res.json()) as Alert[]).find((a) => a.node === ALERT_NODE);
    }
    expect(alert).toBeDefined();
    // the page asked for the open alerts when its socket connected, before this one existed: it came live
    await page.locator(`[data-testid="alert-${alert!.id}"]`).waitFor({ timeout: 15_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'ops-room-replica-alert.png') });
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
  }, 60_000);
});
