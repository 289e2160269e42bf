import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { startOpsroom, type RunningOpsroom } from '@opsroom/server';
import {
  ARTIFACTS,
  collectErrors,
  collectFailedRequests,
  demoSecrets,
  describeWithChromium,
  launchChromium,
  MODEL,
  signIn,
  UI_DIR,
} from './browser-support.js';

/**
 * Issue 20 points 5 and 7: the administration screen in Chromium against the real server (on a
 * copy of the example model). A council provisions a device in its scope: the secret is shown
 * once with a copy button and a warning, and works on the real broker; the device's status
 * readings show as its buffer health. It disables a user of its scope: that user's open page is
 * signed out, and the model file says `disabled: true` with every comment kept. A planner has no
 * such screen. Screenshots in test-artifacts/.
 */
describeWithChromium('the administration screen', () => {
  const creds = demoSecrets();
  let dir: string;
  let model: string;
  let server: RunningOpsroom;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(UI_DIR, 'index.html')))
      throw new Error(`the UI is not built (${UI_DIR}); run \`npm run build:ui\` first`);
    dir = mkdtempSync(join(tmpdir(), 'opsroom-ui-admin-'));
    model = join(dir, 'model.yaml');
    copyFileSync(MODEL, model);
    server = await startOpsroom({
      host: '127.0.0.1',
      httpPort: 0,
      mqttPort: 0,
      dataDir: dir,
      model,
      uiDir: UI_DIR,
      logger: false,
    });
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function page(user: string): Promise<{ page: Page; errors: string[]; failed: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const p = await context.newPage();
    const errors = collectErrors(p);
    const failed = collectFailedRequests(p);
    await p.goto(server.httpUrl);
    await signIn(p, user, creds.users[user]!);
    return { page: p, errors, failed };
  }

  it('is not offered to a planner', async () => {
    const { page: p, errors } = await page('planner');
    await expect(p.getByTestId('admin-toggle').isVisible()).resolves.toBe(false);
    expect(errors).toEqual([]);
    await p.context().close();
  }, 60_000);

  it('lets a council provision a device (secret shown once) and disable a user in its scope', async () => {
    const before = readFileSync(model, 'utf8');
    const victim = await page('coop-lana');
    const { page: p, errors, failed } = await page('council-norte');

    await p.getByTestId('admin-toggle').click();
    const screen = p.getByTestId('admin-screen');
    await screen.waitFor({ state: 'visible' });
    await expect(p.getByTestId('room').isVisible()).resolves.toBe(false);
    const users = p.getByTestId('admin-users');
    await users.locator('tr[data-user="coop-lana"]').waitFor();
    // Only its scope: itself and coop-lana; devices of valle/norte only.
    expect(
      (await users.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')))).sort(),
    ).toEqual(['coop-lana', 'council-norte']);
    const devices = p.getByTestId('admin-devices');
    const nodes = await devices.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(nodes.length).toBeGreaterThan(3);
    expect(nodes.every((n) => n.startsWith('valle/norte/'))).toBe(true);
    // The role menu offers nothing above council.
    const roleOptions = await p.getByTestId('admin-new-user').locator('select[name="role"] option').allTextContents();
    expect(roleOptions).toEqual(['council']);
    await p.screenshot({ path: join(ARTIFACTS, 'admin-screen.png'), fullPage: true });

    // Provision: the secret appears once, with a copy button and a warning.
    const form = p.getByTestId('admin-new-device');
    await form.locator('input[name="id"]').fill('taller-1-plc-b');
    await form.locator('input[name="node"]').fill('valle/norte/lana/taller-1');
    await form.locator('button[type="submit"]').click();
    const secretBox = p.getByTestId('admin-secret');
    await secretBox.waitFor({ state: 'visible' });
    const secret = (await p.getByTestId('admin-secret-value').textContent())!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await expect(secretBox.textContent()).resolves.toMatch(/Shown once.*cannot be shown again/);
    await secretBox.getByRole('button', { name: 'Copy' }).click();
    await expect(secretBox.getByRole('button', { name: 'Copied' }).waitFor()).resolves.toBeUndefined();
    await expect(p.evaluate(() => navigator.clipboard.readText())).resolves.toBe(secret);
    await devices.locator('tr[data-device="taller-1-plc-b"]').waitFor();
    await p.screenshot({ path: join(ARTIFACTS, 'admin-device-secret.png'), fullPage: true });

    // The secret works on the real broker; the agent's status readings become its buffer health.
    const agent = await mqtt.connectAsync(server.mqttUrl, {
      username: 'taller-1-plc-b',
      password: secret,
      reconnectPeriod: 0,
    });
    const now = Date.now();
    await agent.publishAsync(
      'opsroom/v1/devices/taller-1-plc-b/status',
      JSON.stringify([
        { metric: 'agent_buffer_depth', value: 12, ts: now },
        { metric: 'agent_dropped_total', value: 0, ts: now },
        { metric: 'agent_connected', value: 1, ts: now },
      ]),
      { qos: 1 },
    );
    await secretBox.getByRole('button', { name: 'Done' }).click();
    await expect(secretBox.isVisible()).resolves.toBe(false);
    await p.getByTestId('admin-toggle').click(); // back to the room and in again: the lists reload
    await p.getByTestId('admin-toggle').click();
    const row = devices.locator('tr[data-device="taller-1-plc-b"]');
    await row.locator('.admin-buffer', { hasText: 'backlog: 12 waiting' }).waitFor();
    await expect(row.textContent()).resolves.toMatch(/connected · heard \d+ s ago/);
    expect(await p.content()).not.toContain(secret); // shown once: gone from the page

    // Disable a user: its row says so, and that user's open page is signed out.
    await users.locator('tr[data-user="coop-lana"] button[data-action="toggle"]').click();
    await users.locator('tr[data-user="coop-lana"].disabled').waitFor();
    await expect(p.locator('.admin-status').textContent()).resolves.toBe('coop-lana disabled');
    await p.screenshot({ path: join(ARTIFACTS, 'admin-user-disabled.png'), fullPage: true });
    await victim.page.getByTestId('login-form').waitFor({ state: 'visible', timeout: 10_000 });
    await expect(victim.page.locator('.login-message').textContent()).resolves.toMatch(/session has ended/);
    await victim.page.screenshot({ path: join(ARTIFACTS, 'admin-disabled-user-signed-out.png') });

    // The model file holds both changes, every comment kept.
    const after = readFileSync(model, 'utf8');
    const comments = (t: string) => t.split('\n').filter((l) => l.includes('#'));
    expect(comments(after)).toEqual(comments(before));
    expect(after).toMatch(/- name: coop-lana\n(?: {4}.*\n)*? {4}disabled: true\n/);
    expect(after).toContain('  - id: taller-1-plc-b\n    node: valle/norte/lana/taller-1\n');
    expect(after).not.toContain(secret);

    await agent.endAsync();
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
  }, 120_000);
});
