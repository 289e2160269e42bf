import { afterAll, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { resolveConfig } from '@opsroom/server';
import { runDemo, type RunningDemo } from '../../server/src/demo/run-demo.js';
import {
  ARTIFACTS,
  collectErrors,
  collectFailedRequests,
  demoSecrets,
  describeWithChromium,
  launchChromium,
  MODEL,
  startUiServer,
  UI_DIR,
} from './browser-support.js';

/**
 * Issue 20 point 6: the login page shows the demo logins when (and only when) the server runs the
 * demo, and logs nothing red: no console error, no request answered 4xx/5xx (the page asks
 * GET /api/session, which answers 200 to nobody too).
 */
describeWithChromium('the login page', () => {
  const secrets = demoSecrets();
  const dirs: string[] = [];
  let browser: Browser | undefined;
  const stops: Array<() => Promise<void>> = [];

  afterAll(async () => {
    await browser?.close();
    for (const stop of stops) await stop().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function open(url: string): Promise<{ page: Page; errors: string[]; failed: string[] }> {
    if (!existsSync(join(UI_DIR, 'index.html')))
      throw new Error(`the UI is not built (${UI_DIR}); run \`npm run build:ui\` first`);
    browser ??= await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const errors = collectErrors(page);
    const failed = collectFailedRequests(page);
    await page.goto(url);
    await page.getByTestId('login-form').waitFor({ state: 'visible' });
    return { page, errors, failed };
  }

  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-ui-login-'));
    dirs.push(dir);
    return dir;
  };

  it('of the demo lists the demo logins, signs in with one, and logs no error nor failed request', async () => {
    const config = resolveConfig(
      {},
      {},
      { host: '127.0.0.1', httpPort: 0, mqttPort: 0, dataDir: dataDir(), model: MODEL, uiDir: UI_DIR },
    );
    const demo: RunningDemo = await runDemo(config, () => {}, { faultEverySec: 0, logger: false });
    stops.push(() => demo.close());
    const { page, errors, failed } = await open(demo.server!.httpUrl);

    const logins = page.getByTestId('demo-logins');
    await logins.waitFor({ state: 'visible' });
    const names = await logins.locator('.demo-user').allTextContents();
    expect(names.sort()).toEqual(Object.keys(secrets.users).sort());
    await expect(logins.locator('[data-username="planner"] .demo-password').textContent()).resolves.toBe(
      secrets.users.planner,
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'login-demo.png') });

    // A click fills the form; signing in with it opens the room.
    await logins.locator('[data-username="planner"]').click();
    await expect(page.locator('input[name="username"]').inputValue()).resolves.toBe('planner');
    await page.locator('.login-form button[type="submit"]').click();
    await page.getByTestId('room').waitFor({ state: 'visible' });
    await page.locator('.connection[data-status="live"]').waitFor();
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
  }, 120_000);

  it('of a server started with a model (not the demo) shows no demo login and logs no error nor failed request', async () => {
    const app = await startUiServer(dataDir());
    stops.push(() => app.close());
    const { page, errors, failed } = await open(app.httpUrl);
    await page.waitForLoadState('networkidle');
    await expect(page.getByTestId('demo-logins').isVisible()).resolves.toBe(false);
    await expect(page.getByTestId('demo-logins').locator('li').count()).resolves.toBe(0);
    const text = (await page.getByTestId('login-form').textContent()) ?? '';
    for (const [name, password] of Object.entries(secrets.users)) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(name);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'login.png') });
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
  }, 60_000);
});
