import { afterAll, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { BrowserContext, Page } from 'playwright-core';
import {
  ALERT_DEVICE,
  ALERT_NODE,
  ARTIFACTS,
  collectErrors,
  demoSecrets,
  describeWithChromium,
  DEVICE,
  DEVICE_NODE,
  launchChromium,
  publishJump,
  signIn,
  useUiRig,
} from './browser-support.js';

describeWithChromium('the ops room in a real browser against the real server', () => {
  const contexts: BrowserContext[] = [];
  const secrets = demoSecrets();

  const rig = useUiRig('room');

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
  });

  async function newPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    return { page, errors: collectErrors(page) };
  }

  it('lets a planner sign in, shows the organisation and a live value, without console errors', async () => {
    const { page, errors } = await newPage();
    // A deep link: the focus is in the URL hash and survives the sign-in.
    await page.goto(`${rig.app.httpUrl}/#/valle/norte/lana`);
    await signIn(page, 'planner', secrets.users.planner as string);

    for (const path of ['valle', 'valle/norte', 'valle/sur', 'valle/norte/lana', DEVICE_NODE]) {
      await expect(page.getByTestId(`node-${path}`).count()).resolves.toBe(1);
    }
    await expect(page.locator('.crumb.current').textContent()).resolves.toBeTruthy();
    expect(page.url()).toMatch(/#\/valle\/norte\/lana$/);
    // The 3D room is an enhancement of the list; with WebGL (SwiftShader here) it is there too.
    await page.locator('.scene canvas').waitFor({ state: 'attached' });
    await page.locator('.connection[data-status="live"]').waitFor();

    const device = await mqtt.connectAsync(rig.app.mqttUrl, {
      username: DEVICE,
      password: secrets.devices[DEVICE] as string,
      clientId: `ui-test-${process.pid}`,
      reconnectPeriod: 0,
    });
    try {
      await device.publishAsync(
        `opsroom/v1/devices/${DEVICE}/readings`,
        JSON.stringify([{ metric: 'output', value: 42 }]),
        { qos: 1 },
      );
    } finally {
      await device.endAsync();
    }
    const value = page.getByTestId(`value-${DEVICE_NODE}-output`);
    await expect(value.waitFor()).resolves.toBeUndefined();
    await page.waitForFunction(
      (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent === '42',
      `value-${DEVICE_NODE}-output`,
      { timeout: 15_000 },
    );

    // Backspace goes up one level of the recursion, and the hash follows.
    await page.locator('body').press('Backspace');
    await page.waitForURL(/#\/valle\/norte$/);
    // A click in the node list refocuses, and the taller's values follow it.
    await page.getByTestId(`node-${DEVICE_NODE}`).locator('button').first().click();
    await page.waitForURL(/#\/valle\/norte\/lana\/taller-1$/);
    await page.waitForFunction(
      (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent === '42',
      `value-${DEVICE_NODE}-output`,
    );
    await page.locator('body').press('Backspace');
    await page.waitForURL(/#\/valle\/norte\/lana$/);

    await page.waitForTimeout(1500); // let the room settle (camera ease, chart) for the picture
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'ops-room.png') });
    expect(errors).toEqual([]);
  }, 90_000);

  it('shows a council only its own subtree, even when a deep link points at another council', async () => {
    const { page, errors } = await newPage();
    await page.goto(`${rig.app.httpUrl}/#/valle/sur`);
    await signIn(page, 'council-norte', secrets.users['council-norte'] as string);
    await page.getByTestId('node-valle/norte').waitFor();
    await page.getByTestId('node-valle/norte/lana').waitFor();
    await expect(page.locator('[data-testid^="node-valle/sur"]').count()).resolves.toBe(0);
    await expect(page.getByTestId('node-valle').count()).resolves.toBe(0);
    // The out-of-scope deep link falls back to the council's own node.
    await page.waitForURL(/#\/valle\/norte$/);
    await expect(page.locator('.room').textContent()).resolves.not.toMatch(/Sur\b/);
    expect(errors).toEqual([]);
  }, 60_000);

  it('raises an alert on a jump, counts down its deadline, and acknowledges it from the algedonic screen', async () => {
    const { page, errors } = await newPage();
    await page.goto(`${rig.app.httpUrl}/#/${ALERT_NODE}`);
    await signIn(page, 'planner', secrets.users.planner as string);
    await page.locator('.connection[data-status="live"]').waitFor();

    // Fifty minutes of steady output, then a jump to four times as much: a step change. (Another
    // device than the first test's, whose detector has already seen a newer reading.)
    await publishJump(rig.app.mqttUrl, ALERT_DEVICE, secrets.devices[ALERT_DEVICE] as string);

    const card = page.locator('[data-testid^="alert-"]').first();
    await card.waitFor({ timeout: 15_000 });
    await expect(card.locator('.countdown').textContent()).resolves.toMatch(/^\d+:\d\d$/);
    // The chart of the alert's node and indicator marks the anomaly where the alert was raised.
    await page.locator('svg.chart g.anomaly').first().waitFor({ state: 'attached', timeout: 15_000 });
    await expect(page.locator('svg.chart g.anomaly title').first().textContent()).resolves.toMatch(/change .*\(p=/);
    await expect(page.getByTestId(`node-${ALERT_NODE}`).getAttribute('data-state')).resolves.toBe('alert');
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid^="alert-"] .alert-state')?.textContent === 'acknowledged',
    );
    // A comment needs a note: the UI says so instead of calling the server.
    await card.getByRole('button', { name: 'Comment' }).click();
    await expect(card.locator('.alert-message').textContent()).resolves.toMatch(/note/i);
    await card.locator('.alert-note').fill('checking the spinning frames');
    await card.getByRole('button', { name: 'Comment' }).click();
    await page.waitForFunction(() =>
      /checking the spinning frames/.test(
        document.querySelector('[data-testid^="alert-"] .alert-trail')?.textContent ?? '',
      ),
    );
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows the 2D room and every panel when the browser has no WebGL', async () => {
    const noGl = await launchChromium(['--disable-webgl']);
    try {
      const page = await (await noGl.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      const errors = collectErrors(page);
      await page.goto(`${rig.app.httpUrl}/#/valle/norte`);
      await signIn(page, 'planner', secrets.users.planner as string);
      await page.locator('.flat-room').waitFor();
      await expect(page.locator('.scene canvas').count()).resolves.toBe(0);
      await page.getByTestId('node-valle/sur').waitFor();
      await page.getByTestId('value-valle/norte-output').waitFor();
      // The 2D tiles focus like the 3D nodes do.
      await page.locator('.flat-tile[data-path="valle/norte/lana"]').click();
      await page.waitForURL(/#\/valle\/norte\/lana$/);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'ops-room-2d.png') });
      expect(errors).toEqual([]);
    } finally {
      await noGl.close();
    }
  }, 60_000);

  it('returns to the sign-in form on sign-out', async () => {
    const { page, errors } = await newPage();
    await page.goto(rig.app.httpUrl);
    await signIn(page, 'planner', secrets.users.planner as string);
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor({ state: 'visible' });
    await expect(page.getByTestId('room').isHidden()).resolves.toBe(true);
    // The session is gone on the server too: a reload shows the form again.
    await page.reload();
    await page.getByTestId('login-form').waitFor({ state: 'visible' });
    expect(errors).toEqual([]);
  }, 60_000);
});
