import { afterAll, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '@opsroom/models';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  ALERT_DEVICE,
  ALERT_NODE,
  ARTIFACTS,
  collectErrors,
  demoSecrets,
  describeWithChromium,
  launchChromium,
  MODEL,
  publishJump,
  signIn,
  useUiRig,
} from './browser-support.js';

/** A workshop of Consejo Sur whose device raises the alert the council of Norte must not see. */
const SUR_DEVICE = 'aserradero-plc';
const SUR_NODE = 'valle/sur/madera/aserradero';
/** The parent an alert at ALERT_NODE escalates to. */
const PARENT = 'valle/norte/lana';

describeWithChromium('algedonic escalation seen in a real browser', () => {
  let noGl: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const secrets = demoSecrets();

  const rig = useUiRig('escalation', {
    // The demo model with a two-second correction window at the workshops: their alerts escalate at once.
    model: (dir) => {
      const yaml = readFileSync(MODEL, 'utf8').replace(/^(\s+workshop:\s*)300\b/m, '$12');
      if (!/^\s+workshop:\s*2\b/m.test(yaml))
        throw new Error('valle.yaml changed: could not lower the workshop correction window');
      const model = join(dir, 'valle-fast.yaml');
      writeFileSync(model, yaml);
      return model;
    },
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await noGl?.close();
  });

  async function newPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    return { page, errors: collectErrors(page) };
  }

  /** The open alerts as the server holds them, asked with the page's own session. */
  async function serverAlerts(page: Page): Promise<Alert[]> {
    const res = await page.request.get(`${rig.app.httpUrl}/api/alerts?state=open`);
    expect(res.ok()).toBe(true);
    const body = (await res.json()) as Alert[] | { alerts: Alert[] };
    return Array.isArray(body) ? body : body.alerts;
  }

  it('shows a planner the alert a workshop let run out, escalated to its cooperative, and a council only its own alerts', async () => {
    const planner = await newPage();
    await planner.page.goto(`${rig.app.httpUrl}/#/valle`);
    await signIn(planner.page, 'planner', secrets.users.planner as string);
    await planner.page.locator('.connection[data-status="live"]').waitFor();

    await publishJump(rig.app.mqttUrl, ALERT_DEVICE, secrets.devices[ALERT_DEVICE] as string);
    await publishJump(rig.app.mqttUrl, SUR_DEVICE, secrets.devices[SUR_DEVICE] as string);

    // The server escalates the workshop's alert once its two seconds have run out.
    let escalated: Alert | undefined;
    let sur: Alert | undefined;
    for (const until = Date.now() + 20_000; Date.now() < until && !(escalated && sur);) {
      const open = await serverAlerts(planner.page);
      escalated = open.find((a) => a.node === ALERT_NODE && a.state === 'escalated' && a.owner === PARENT);
      sur = open.find((a) => a.node === SUR_NODE);
      if (!(escalated && sur)) await planner.page.waitForTimeout(250);
    }
    expect(escalated).toBeDefined();
    expect(sur).toBeDefined();

    // The planner's algedonic screen shows it live: escalated, owned by the cooperative, and the
    // cooperative is in crisis in the node list (state shown as text too, not colour alone).
    const card = planner.page.getByTestId(`alert-${escalated!.id}`);
    await card.waitFor({ timeout: 5_000 });
    await planner.page.waitForFunction(
      (id) => document.querySelector(`[data-testid="alert-${id}"] .alert-state`)?.textContent?.includes('escalated'),
      escalated!.id,
      { timeout: 5_000 },
    );
    await expect(card.locator('.alert-path').textContent()).resolves.toMatch(/Owner Cooperativa Lana \(wool\)/);
    await expect(card.getAttribute('class')).resolves.toMatch(/state-escalated/);
    await expect(planner.page.getByTestId(`node-${PARENT}`).getAttribute('data-state')).resolves.toBe('crisis');
    await expect(planner.page.getByTestId(`alert-${sur!.id}`).count()).resolves.toBe(1);
    mkdirSync(ARTIFACTS, { recursive: true });
    await planner.page.waitForTimeout(800);
    await planner.page.screenshot({ path: join(ARTIFACTS, 'ops-room-escalated.png') });
    // One level down, the 3D name tag of the cooperative carries its state in shape and words.
    await planner.page.getByTestId('node-valle/norte').locator('button').first().click();
    await planner.page.waitForURL(/#\/valle\/norte$/);
    await planner.page.waitForTimeout(1500);
    await planner.page.screenshot({ path: join(ARTIFACTS, 'ops-room-escalated-norte.png') });

    // Consejo Norte sees the escalated alert of its own subtree and nothing of Consejo Sur's; its
    // browser has no WebGL, so the 2D room shows the cooperative in crisis, in shape and words.
    noGl = await launchChromium(['--disable-webgl']);
    const councilContext = await noGl.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(councilContext);
    const councilPage = await councilContext.newPage();
    const council = { page: councilPage, errors: collectErrors(councilPage) };
    await council.page.goto(`${rig.app.httpUrl}/#/valle/norte`);
    await signIn(council.page, 'council-norte', secrets.users['council-norte'] as string);
    await council.page.getByTestId(`alert-${escalated!.id}`).waitFor({ timeout: 5_000 });
    await expect(council.page.getByTestId(`alert-${sur!.id}`).count()).resolves.toBe(0);
    const owners = await council.page.locator('[data-testid^="alert-"] .alert-path').allTextContents();
    expect(owners.length).toBeGreaterThan(0);
    for (const text of owners) expect(text).not.toMatch(/Sur|Madera|Aserradero/);
    const councilAlerts = await serverAlerts(council.page);
    expect(councilAlerts.every((a) => a.owner.startsWith('valle/norte'))).toBe(true);
    const tile = council.page.locator(`.flat-tile[data-path="${PARENT}"]`);
    await expect(tile.getAttribute('data-state')).resolves.toBe('crisis');
    await expect(tile.textContent()).resolves.toMatch(/◆.*Cooperativa Lana.*crisis/);
    await council.page.screenshot({ path: join(ARTIFACTS, 'ops-room-escalated-2d.png') });

    expect(planner.errors).toEqual([]);
    expect(council.errors).toEqual([]);
  }, 90_000);
});
