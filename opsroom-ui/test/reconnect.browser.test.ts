import { afterAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { startOpsroom } from '@opsroom/server';
import {
  collectErrors,
  demoSecrets,
  describeWithChromium,
  DEVICE,
  DEVICE_NODE,
  launchChromium,
  MODEL,
  signIn,
  UI_DIR,
} from './browser-support.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describeWithChromium('the ops room across a server restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsroom-ui-restart-'));
  let browser: Browser | undefined;
  let app: Awaited<ReturnType<typeof startOpsroom>> | undefined;
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reconnects and resynchronises without a reload, and shows what happened meanwhile', async () => {
    const secrets = demoSecrets();
    const ports = { httpPort: await freePort(), mqttPort: await freePort() };
    const start = () =>
      startOpsroom({ host: '127.0.0.1', ...ports, dataDir, model: MODEL, uiDir: UI_DIR, logger: false });
    const publish = async (value: number) => {
      const device = await mqtt.connectAsync(app!.mqttUrl, {
        username: DEVICE,
        password: secrets.devices[DEVICE],
        reconnectPeriod: 0,
      });
      await device.publishAsync(
        `opsroom/v1/devices/${DEVICE}/readings`,
        JSON.stringify([{ metric: 'output', value }]),
        { qos: 1 },
      );
      await device.endAsync();
    };

    app = await start();
    browser = await launchChromium();
    const page = await (await browser.newContext()).newPage();
    const errors = collectErrors(page);
    const waitForValue = (v: number) =>
      page.waitForFunction(
        ([id, want]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === want,
        [`value-${DEVICE_NODE}-output`, String(v)] as const,
        { timeout: 10_000 },
      );
    await page.goto(`${app.httpUrl}/#/${DEVICE_NODE}`);
    await signIn(page, 'planner', secrets.users.planner!);
    await page.locator('.connection[data-status="live"]').waitFor();
    await publish(17);
    await waitForValue(17);

    await app.close();
    await page.locator('.connection:not([data-status="live"])').waitFor({ timeout: 10_000 });
    app = await start();
    // A value published while the page was away arrives through the resync; the next one live.
    await publish(23);
    await page.locator('.connection[data-status="live"]').waitFor({ timeout: 20_000 });
    await waitForValue(23);
    await publish(29);
    await waitForValue(29);
    await expect(page.getByTestId('login-form').isVisible()).resolves.toBe(false); // the session survived the restart
    // Only the transport's own messages while the server was down may appear.
    expect(
      errors.filter((e) => !/ERR_CONNECTION_REFUSED|socket\.io|WebSocket|Failed to load resource/.test(e)),
    ).toEqual([]);
  }, 90_000);
});
