import { expect, it } from '@jest/globals';
import type { Alert, MaintenanceWindow } from '@opsroom/models';
import {
  ALERT_DEVICE,
  ALERT_NODE,
  collectErrors,
  demoSecrets,
  describeWithChromium,
  publishJump,
  signIn,
  useUiRig,
} from './browser-support.js';

// Issue 15 points 1-3 in a real browser: the alert card says the priority in a word and a shape,
// shelving from the card takes the alert off the server's active list with its window paused and
// the card says so, and the maintenance panel lists a window on the focused node.
describeWithChromium('shelving an alert and seeing maintenance windows in a real browser', () => {
  const secrets = demoSecrets();

  const rig = useUiRig('shelve');

  it('shows the priority, shelves from the card with a note, and lists a maintenance window', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${rig.app.httpUrl}/#/valle/norte/lana`);
    await signIn(page, 'planner', secrets.users.planner as string);
    await page.locator('.connection[data-status="live"]').waitFor();
    await publishJump(rig.app.mqttUrl, ALERT_DEVICE, secrets.devices[ALERT_DEVICE] as string);

    let alert: Alert | undefined;
    for (const until = Date.now() + 20_000; Date.now() < until && !alert;) {
      alert = ((await (await page.request.get(`${rig.app.httpUrl}/api/alerts?state=open`)).json()) as Alert[]).find(
        (a) => a.node === ALERT_NODE,
      );
      if (!alert) await page.waitForTimeout(250);
    }
    expect(alert).toBeDefined();
    const card = page.getByTestId(`alert-${alert!.id}`);
    await card.waitFor({ timeout: 5_000 });
    const priority = alert!.priority ?? 'medium';
    await expect(card.locator(`.badge-priority-${priority}`).textContent()).resolves.toMatch(
      new RegExp(`^▮+ ${priority}$`),
    );

    await card.locator('.alert-note').fill('tool change, back in an hour');
    await card.locator('.shelve-for').selectOption('60');
    await card.locator('.act-shelve').click();
    await page.waitForFunction(
      (id) =>
        document
          .querySelector(`[data-testid="alert-${id}"] .badge-shelved`)
          ?.textContent?.startsWith('⏸ shelved until'),
      alert!.id,
      { timeout: 5_000 },
    );
    await expect(card.locator('.act-unshelve').isVisible()).resolves.toBe(true);
    await expect(card.locator('.act-shelve').isVisible()).resolves.toBe(false);
    const shelved = (await (await page.request.get(`${rig.app.httpUrl}/api/alerts/${alert!.id}`)).json()) as Alert;
    expect(shelved.shelved).toMatchObject({ by: 'planner', note: 'tool change, back in an hour' });
    expect(shelved.shelved!.until - shelved.shelved!.at).toBe(60 * 60_000);
    expect(shelved.deadline).toBeNull();
    const active = (await (await page.request.get(`${rig.app.httpUrl}/api/alerts?state=open`)).json()) as Alert[];
    expect(active.map((a) => a.id)).not.toContain(alert!.id);
    // After a reload the room still has it, shelved, counted apart from the active ones, so it can be unshelved.
    await page.reload();
    await page.locator('.connection[data-status="live"]').waitFor();
    await card.locator('.badge-shelved').waitFor({ timeout: 5_000 });
    await expect(page.locator('.alert-summary').textContent()).resolves.toMatch(/\(1 more shelved\)\.$/);

    // A window on the cooperative, then focus on its council: the maintenance panel there lists it (a window in its subtree), in words.
    const res = await page.request.post(`${rig.app.httpUrl}/api/maintenance`, {
      data: { node: 'valle/norte/lana', end: Date.now() + 3600_000, reason: 'carding machine overhaul' },
    });
    expect(res.status()).toBe(201);
    const w = (await res.json()) as MaintenanceWindow;
    await page.goto(`${rig.app.httpUrl}/#/valle/norte`);
    const item = page.getByTestId(`maintenance-${w.id}`);
    await item.waitFor({ timeout: 5_000 });
    await expect(item.textContent()).resolves.toMatch(/^⚙ in maintenance: .*carding machine overhaul \(planner\)$/);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
