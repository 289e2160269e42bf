import { afterAll, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { startOpsroom } from '@opsroom/server';
import {
  ARTIFACTS,
  collectErrors,
  demoSecrets,
  describeWithChromium,
  DEVICE,
  DEVICE_NODE,
  launchChromium,
  signIn,
  startUiServer,
  UI_DIR,
} from './browser-support.js';

/** The status cell of the focused node's `output` row. */
const STATUS = '.values-panel table.values:not(.children) tr[data-indicator="output"] td.status';

async function statusIs(page: Page, want: RegExp, timeout: number): Promise<void> {
  await page.waitForFunction(
    ([sel, src]) => new RegExp(src).test(document.querySelector(sel)?.textContent ?? ''),
    [STATUS, want.source] as const,
    { timeout },
  );
}

/**
 * Issue 20 point 3: a device that stops sending turns stale in the ops room within its expected
 * interval plus the margin (1 s + 5 s for a 1 s sensor, see staleAfterMs), and every ancestor says
 * how many devices below are missing; the count clears when it speaks again.
 */
describeWithChromium('staleness in the ops room', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-ui-stale-'));
  let browser: Browser | undefined;
  let app: Awaited<ReturnType<typeof startOpsroom>> | undefined;
  let device: mqtt.MqttClient | undefined;
  afterAll(async () => {
    await device?.endAsync().catch(() => undefined);
    await browser?.close();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows a dropped 1 s sensor stale, and "stale · 1 missing below" at the root, within interval + margin', async () => {
    if (!existsSync(join(UI_DIR, 'index.html')))
      throw new Error(`the UI is not built (${UI_DIR}); run \`npm run build:ui\` first`);
    const secrets = demoSecrets();
    app = await startUiServer(dataDir);
    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    const errors = collectErrors(page);
    await page.goto(`${app.httpUrl}/#/valle`);
    await signIn(page, 'planner', secrets.users.planner!);
    await page.locator('.connection[data-status="live"]').waitFor();

    device = await mqtt.connectAsync(app.mqttUrl, {
      username: DEVICE,
      password: secrets.devices[DEVICE],
      reconnectPeriod: 0,
    });
    const send = (value: number) =>
      device!.publishAsync(`opsroom/v1/devices/${DEVICE}/readings`, JSON.stringify([{ metric: 'output', value }]), {
        qos: 1,
      });
    // One reading a second: after three gaps the server expects it every second.
    let stoppedAt = 0;
    for (let i = 0; i < 6; i++) {
      await send(40 + i);
      stoppedAt = Date.now(); // acknowledged (QoS 1): the server has it
      if (i < 5) await page.waitForTimeout(1000);
    }
    await statusIs(page, /^fresh/, 5000);

    await statusIs(page, /^stale · 1 missing below/, 15_000);
    const tookMs = Date.now() - stoppedAt;
    // 1 s interval + 5 s margin, plus the live flush (250 ms) and the page's frame: well under the 60 s roll-up period.
    expect(tookMs).toBeGreaterThanOrEqual(5500);
    expect(tookMs).toBeLessThan(10_000);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'ops-room-stale.png') });

    // The workshop itself: stale, no value, its device silent (not "fresh · 58 s ago").
    await page.goto(`${app.httpUrl}/#/${DEVICE_NODE}`);
    await statusIs(page, /^stale · 1 device silent/, 5000);
    const value = page.getByTestId(`value-${DEVICE_NODE}-output`);
    await expect(value.textContent()).resolves.toBe('—');
    await expect(value.getAttribute('class')).resolves.toMatch(/\bstale\b/);

    // It speaks again: fresh at once, and nothing is missing below the root any more.
    await send(50);
    await statusIs(page, /^fresh/, 5000);
    await page.goto(`${app.httpUrl}/#/valle`);
    await statusIs(page, /^fresh(?!.*missing below)/, 5000);
    expect(errors).toEqual([]);
  }, 90_000);
});
