import { expect, it } from '@jest/globals';
import type { Alert } from '@opsroom/models';
import type { Page } from 'playwright-core';
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

/** A second alert elsewhere under valle/norte (another cooperative: no grouping alert). */
const OTHER_DEVICE = 'queseria-plc';
const OTHER_NODE = 'valle/norte/lacteos/queseria';

// Issue 15 points 6-8 in a real browser: the alert screen filters by text and priority with counts
// per choice, the filter lives in the URL and survives a reload, an alert is shelved from a filtered
// list and the shelved filter finds it, trails name people, and the alarm-health screen shows its
// figures, a d3 bar chart and the most frequent alerts, reachable from the header and the URL.
describeWithChromium('filtering the alert screen, shelving, and the alarm-health screen in a real browser', () => {
  const secrets = demoSecrets();

  const rig = useUiRig('filter');

  const hashOf = (page: Page) => new URL(page.url()).hash;
  const total = async (page: Page) => Number(await page.getByTestId('alerts-count').getAttribute('data-total'));
  const waitForTotal = (page: Page, n: number) =>
    page.waitForFunction(
      (want) => document.querySelector('[data-testid="alerts-count"]')?.getAttribute('data-total') === String(want),
      n,
      { timeout: 5_000 },
    );

  it('filters by text and priority with counts, keeps the filter in the URL across a reload, and shelves', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${rig.app.httpUrl}/#/valle/norte`);
    await signIn(page, 'planner', secrets.users.planner as string);
    await page.locator('.connection[data-status="live"]').waitFor();
    await Promise.all([
      publishJump(rig.app.mqttUrl, ALERT_DEVICE, secrets.devices[ALERT_DEVICE] as string),
      publishJump(rig.app.mqttUrl, OTHER_DEVICE, secrets.devices[OTHER_DEVICE] as string),
    ]);
    let open: Alert[] = [];
    for (const until = Date.now() + 20_000; Date.now() < until;) {
      open = (await (await page.request.get(`${rig.app.httpUrl}/api/alerts?state=open`)).json()) as Alert[];
      if (open.some((a) => a.node === ALERT_NODE) && open.some((a) => a.node === OTHER_NODE)) break;
      await page.waitForTimeout(250);
    }
    const target = open.find((a) => a.node === ALERT_NODE)!;
    const other = open.find((a) => a.node === OTHER_NODE)!;
    expect(target && other).toBeTruthy();
    const card = page.getByTestId(`alert-${target.id}`);
    const otherCard = page.getByTestId(`alert-${other.id}`);
    await otherCard.waitFor({ timeout: 5_000 });
    await card.waitFor({ timeout: 5_000 });
    const all = await total(page);
    expect(all).toBeGreaterThanOrEqual(2);

    // Free text: the workshop's name ("Taller 2 — spinning") finds its alert only, and the URL says so.
    await page.getByLabel('Search alerts').fill('SPINNING');
    await waitForTotal(page, 1);
    await page.waitForFunction(() => location.hash === '#/valle/norte?q=SPINNING');
    await otherCard.waitFor({ state: 'detached' });
    await expect(card.isVisible()).resolves.toBe(true);
    const countLine = page.getByTestId('alerts-count').textContent();
    await expect(countLine).resolves.toBe(`Showing 1 of ${all} alerts (filtered).`);
    // The server counts the same with the same filter.
    const countsUrl = `${rig.app.httpUrl}/api/alerts/counts?node=valle%2Fnorte&q=SPINNING`;
    const counts = (await (await page.request.get(countsUrl)).json()) as { total: number };
    expect(counts.total).toBe(1);

    // Priority: each choice shows how many it would give (the text still applies), then narrow to the alert's.
    const priority = target.priority ?? 'medium';
    const labels = await page.locator('.filter-priority option').allTextContents();
    expect(labels).toContain(`${priority} (1)`);
    const others = labels.filter((l) => /\(\d+\)$/.test(l) && !l.startsWith(priority));
    expect(others.length).toBe(3);
    expect(others.every((l) => l.endsWith('(0)'))).toBe(true);
    await page.locator('.filter-priority').selectOption(priority);
    await page.waitForFunction((p) => location.hash === `#/valle/norte?priority=${p}&q=SPINNING`, priority);
    await waitForTotal(page, 1);

    // A reload keeps the filter: the URL, the controls, the list.
    await page.reload();
    await page.locator('.connection[data-status="live"]').waitFor();
    await card.waitFor({ timeout: 5_000 });
    await waitForTotal(page, 1);
    await expect(page.getByLabel('Search alerts').inputValue()).resolves.toBe('SPINNING');
    await expect(page.locator('.filter-priority').inputValue()).resolves.toBe(priority);
    await expect(otherCard.count()).resolves.toBe(0);
    expect(hashOf(page)).toBe(`#/valle/norte?priority=${priority}&q=SPINNING`);

    // Shelve it from the filtered list; "not shelved" then hides it and "shelved only" finds it.
    await card.locator('.alert-note').fill('spindle swap');
    await card.locator('.shelve-for').selectOption('60');
    await card.locator('.act-shelve').click();
    await card.locator('.badge-shelved').waitFor({ timeout: 5_000 });
    await page.locator('.filter-shelved').selectOption('exclude');
    await waitForTotal(page, 0);
    await expect(page.locator('.filter-shelved option[value="only"]').textContent()).resolves.toBe('shelved only (1)');
    await page.locator('.filter-shelved').selectOption('only');
    await waitForTotal(page, 1);
    expect(hashOf(page)).toBe(`#/valle/norte?priority=${priority}&shelved=only&q=SPINNING`);
    // Its trail names the person who shelved it, not their user name.
    await card.locator('.alert-trail summary').click();
    const lastLine = card.locator('.alert-trail li').last().textContent();
    await expect(lastLine).resolves.toMatch(/ Regional planner shelved: “until .*: spindle swap”$/);
    const shelved = (await (await page.request.get(`${rig.app.httpUrl}/api/alerts/${target.id}`)).json()) as Alert;
    expect(shelved.shelved).toMatchObject({ by: 'planner', note: 'spindle swap' });

    // Clear brings every alert back and empties the URL's filter.
    await page.locator('.filter-clear').click();
    await waitForTotal(page, all);
    await page.waitForFunction(() => location.hash === '#/valle/norte');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('shows the alarm health from the header and the URL, with a bar chart and the most frequent alerts', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${rig.app.httpUrl}/#/valle/norte`);
    await signIn(page, 'council-norte', secrets.users['council-norte'] as string);
    await page.getByTestId('health-toggle').click();
    await page.waitForFunction(() => location.hash === '#/valle/norte?view=health');
    const screen = page.getByTestId('health-screen');
    await screen.locator('dd[data-key="raises"]').waitFor({ timeout: 5_000 });
    await expect(page.locator('.scene').isVisible()).resolves.toBe(false);
    const raised = Number(await screen.locator('dd[data-key="raises"]').textContent());
    expect(raised).toBeGreaterThanOrEqual(2);
    expect(await screen.locator('svg.health-chart rect.bar').count()).toBe(24);
    const bars = await screen
      .locator('svg.health-chart rect.bar')
      .evaluateAll((rs) => rs.reduce((n, r) => n + Number(r.getAttribute('data-count')), 0));
    expect(bars).toBe(raised);
    const top = screen.getByTestId('health-top').textContent();
    await expect(top).resolves.toContain('Production output at Taller 2 — spinning — 1×');
    await expect(screen.locator('.health-title').textContent()).resolves.toBe('Alarm health of Consejo Norte');
    // A reload stays on the screen; a click on a frequent alert shows it on the alert screen.
    await page.reload();
    await screen.locator('dd[data-key="raises"]').waitFor({ timeout: 5_000 });
    await screen.getByText('Production output at Taller 2 — spinning — 1×').click();
    await page.waitForFunction(() => location.hash === '#/valle/norte/lana/taller-2?indicator=output');
    await expect(page.locator('.scene').isVisible()).resolves.toBe(true);
    await waitForTotal(page, 1);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
