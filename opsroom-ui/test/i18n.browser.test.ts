import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '@opsroom/models';
import type { BrowserContext, Page } from 'playwright-core';
import {
  ALERT_DEVICE,
  ALERT_NODE,
  ARTIFACTS,
  collectErrors,
  demoSecrets,
  describeWithChromium,
  publishJump,
  signIn,
  useUiRig,
} from './browser-support.js';

const FOCUS = 'valle/norte/lana';
/** Lana's latency index: capability 340 ÷ potentiality 435 in valle.yaml. */
const LATENCY = `index-${FOCUS}-output-latency`;

/**
 * Issue 20 point 4 in Chromium: a Spanish browser gets the room in Spanish (words, decimal comma, the
 * alert card's sentence); the selector switches to English and the choice survives a reload; at
 * 390 × 844 nothing scrolls sideways (room, alert screen, health and admin screens) and the alert
 * list comes before the room. Screenshots go to test-artifacts/.
 */
describeWithChromium('the room in Spanish and English, and on a 390 px phone', () => {
  const secrets = demoSecrets();
  let alert: Alert | undefined;
  const contexts: BrowserContext[] = [];

  const rig = useUiRig('i18n');

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
  });

  async function open(
    user: string,
    viewport: { width: number; height: number },
    hash = `#/${FOCUS}`,
  ): Promise<{ page: Page; errors: string[] }> {
    const context = await rig.browser.newContext({ locale: 'es-ES', viewport });
    contexts.push(context);
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${rig.app.httpUrl}/${hash}`);
    await page.getByTestId('login-form').waitFor({ state: 'visible' });
    await expect(page.locator('.login-form h1').textContent()).resolves.toBe(
      'Iniciar sesión en la sala de operaciones',
    );
    if (viewport.width <= 390) {
      await expect(sideways(page)).resolves.toEqual({ scrollWidth: 390, sticking: [] });
      await page.screenshot({ path: join(ARTIFACTS, 'i18n-390-login.png') });
    }
    await signIn(page, user, secrets.users[user] as string);
    await page.locator('.connection[data-status="live"]').waitFor();
    return { page, errors };
  }

  /** An open alert on Taller 2, raised by a jump in its output (once for the file). */
  async function raiseAlert(page: Page): Promise<Alert> {
    if (alert) return alert;
    await publishJump(rig.app.mqttUrl, ALERT_DEVICE, secrets.devices[ALERT_DEVICE] as string);
    for (const until = Date.now() + 20_000; Date.now() < until && !alert;) {
      const open = (await (await page.request.get(`${rig.app.httpUrl}/api/alerts?state=open`)).json()) as Alert[];
      alert = open.find((a) => a.node === ALERT_NODE && a.summary);
      if (!alert) await page.waitForTimeout(250);
    }
    expect(alert).toBeDefined();
    return alert!;
  }

  /** The page's width beyond the viewport, and the elements sticking out (for the failure message). */
  async function sideways(page: Page): Promise<{ scrollWidth: number; sticking: string[] }> {
    return page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const scrollWidth = document.documentElement.scrollWidth;
      if (scrollWidth <= width) return { scrollWidth, sticking: [] };
      const sticking = [...document.querySelectorAll<HTMLElement>('body *')]
        .filter((e) => e.getBoundingClientRect().right > width + 0.5 && e.getClientRects().length > 0)
        .filter((e) => !e.closest('.sr-only'))
        .slice(0, 8)
        .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} → ${e.getBoundingClientRect().right}`);
      return { scrollWidth, sticking };
    });
  }

  it('speaks Spanish to a Spanish browser, with decimal commas and the alert sentence, and English once chosen', async () => {
    const { page, errors } = await open('planner', { width: 1280, height: 900 });
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('es');
    await expect(page.locator('.connection').textContent()).resolves.toBe('en vivo');
    await expect(page.locator('#alerts-h').textContent()).resolves.toBe('Alertas algedónicas');
    await expect(page.getByTestId('logout').textContent()).resolves.toBe('Cerrar sesión');
    await expect(page.getByTestId('lang-select').inputValue()).resolves.toBe('es');
    await expect(page.locator('.session-user').textContent()).resolves.toBe('planner · planificación · valle');

    const raised = await raiseAlert(page);
    const card = page.getByTestId(`alert-${raised.id}`);
    await card.waitFor({ timeout: 10_000 });
    const sentence = card.locator('.alert-detail');
    await expect(sentence.textContent()).resolves.toMatch(/^Production output .+\. Seguro al \d+ %\. Desde las /);
    await expect(card.getByRole('button', { name: 'Reconocer' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('.alert-summary').textContent()).resolves.toMatch(/alertas? abiertas? en o bajo/);
    // The trail: the server's note on the raise, said in Spanish from the entry's structured field.
    await expect(card.locator('.alert-trail li').first().textContent()).resolves.toMatch(
      /^\S+ sistema levantó: “cambio de tipo \S+ en Production output \(seguro al \d+ %\)”$/,
    );
    // The chart: range buttons from the catalogue, the time axis's ticks in Spanish dates (7 d: day and month).
    await expect(page.locator('.chart-range[data-range="1y"]').textContent()).resolves.toBe('1 año');
    await page.locator('.chart-range[data-range="7d"]').click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('svg.chart g.axis.x .tick text')].some((e) =>
        /^\d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sept?|oct|nov|dic)$/.test(e.textContent ?? ''),
      ),
    );
    // Beer's indices with a decimal comma (340 / 435 = 78.2 %).
    await expect(page.getByTestId(LATENCY).textContent()).resolves.toBe('78,2 %');
    await expect(page.locator('.values caption').first().textContent()).resolves.toMatch(/— indicadores$/);
    await page.screenshot({ path: join(ARTIFACTS, 'i18n-room-es.png') });

    // The selector: English, at once and after a reload.
    await page.getByTestId('lang-select').selectOption('en');
    await page.locator('.connection[data-status="live"]').waitFor();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await card.waitFor();
    await expect(page.locator('#alerts-h').textContent()).resolves.toBe('Algedonic alerts');
    await expect(page.getByTestId(LATENCY).textContent()).resolves.toBe('78.2 %');
    const current = (await (await page.request.get(`${rig.app.httpUrl}/api/alerts?state=open`)).json()) as Alert[];
    const summary = current.find((a) => a.id === raised.id)?.summary;
    await expect(sentence.textContent()).resolves.toBe(summary);
    await expect(card.locator('.alert-trail li').first().textContent()).resolves.toMatch(
      / system raised: “\w+ change in output \(\d+ % sure\)”$/,
    );
    await expect(page.locator('.chart-range[data-range="1y"]').textContent()).resolves.toBe('1 y');
    await page.reload();
    await page.locator('.connection[data-status="live"]').waitFor();
    await expect(page.locator('.connection').textContent()).resolves.toBe('live');
    await expect(page.getByTestId('lang-select').inputValue()).resolves.toBe('en');
    await expect(page.getByTestId(LATENCY).textContent()).resolves.toBe('78.2 %');
    await page.screenshot({ path: join(ARTIFACTS, 'i18n-room-en.png') });
    expect(errors).toEqual([]);
  }, 120_000);

  it('fits a 390 px phone: no sideways scroll on the room, the alert screen, alarm health and administration', async () => {
    const { page, errors } = await open('admin', { width: 390, height: 844 });
    const raised = await raiseAlert(page);
    const card = page.getByTestId(`alert-${raised.id}`);
    await card.waitFor({ timeout: 10_000 });

    // The alert list comes before the room.
    const alertsTop = (await page.locator('.alerts-panel').boundingBox())!.y;
    const sceneTop = (await page.locator('.scene').boundingBox())!.y;
    expect(alertsTop).toBeLessThan(sceneTop);
    await expect(sideways(page)).resolves.toEqual({ scrollWidth: 390, sticking: [] });
    await page.screenshot({ path: join(ARTIFACTS, 'i18n-390-room.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'i18n-390-room-full.png'), fullPage: true });

    // The alert screen: the card with its actions and trail open.
    await card.locator('.alert-trail summary').click();
    await card.scrollIntoViewIfNeeded();
    await expect(sideways(page)).resolves.toEqual({ scrollWidth: 390, sticking: [] });
    await page.screenshot({ path: join(ARTIFACTS, 'i18n-390-alerts.png') });

    await page.getByTestId('health-toggle').click();
    await page.getByTestId('health-figures').locator('dd').first().waitFor();
    await expect(page.locator('dd[data-key="rate"]').textContent()).resolves.toMatch(/^(⚠ )?\d+,\d$/);
    await expect(sideways(page)).resolves.toEqual({ scrollWidth: 390, sticking: [] });
    await page.screenshot({ path: join(ARTIFACTS, 'i18n-390-health.png'), fullPage: true });
    await page.locator('.health-close').click();

    await page.getByTestId('admin-toggle').click();
    await page.getByTestId('admin-screen').locator('.admin-table tbody tr').first().waitFor();
    await expect(page.locator('.admin-title').textContent()).resolves.toBe('Administración');
    await expect(sideways(page)).resolves.toEqual({ scrollWidth: 390, sticking: [] });
    await page.screenshot({ path: join(ARTIFACTS, 'i18n-390-admin.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);
});
