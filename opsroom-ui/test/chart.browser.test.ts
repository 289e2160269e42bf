// The history chart in a real browser (issue 20 point 2): at 1366x768 the chart and the alert
// list's top are above the fold; range presets and wheel zoom re-ask /api/history; the read-out
// under the pointer; the band of window min-max; several indicators or children side by side;
// anomaly marks over history (a resolved alert too); the CSV of what is charted, the same rows
// as GET /api/history?format=csv. Screenshots in test-artifacts/chart-*.png.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync } from 'node:fs';
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
  DEVICE,
  DEVICE_NODE,
  publishJump,
  signIn,
  useUiRig,
} from './browser-support.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describeWithChromium('the history chart in a real browser', () => {
  const contexts: BrowserContext[] = [];
  const secrets = demoSecrets();

  /** Six and a half days of output and energy at taller-1, one reading every 5 minutes (ingest takes 7 days back). */
  async function publishHistory(): Promise<void> {
    const { default: mqtt } = await import('mqtt');
    const client = await mqtt.connectAsync(rig.app.mqttUrl, {
      username: DEVICE,
      password: secrets.devices[DEVICE] as string,
      reconnectPeriod: 0,
    });
    try {
      const now = Date.now();
      const n = Math.floor((6.5 * DAY) / (5 * MIN));
      for (let start = 0; start < n; start += 200) {
        const readings = Array.from({ length: Math.min(200, n - start) }, (_, k) => {
          const i = start + k;
          const ts = now - (n - i) * 5 * MIN;
          const daily = Math.sin((2 * Math.PI * ts) / DAY);
          return [
            { metric: 'output', ts, value: 120 + 30 * daily + ((i * 7919) % 13) },
            { metric: 'energy', ts, value: 40 + 10 * daily + ((i * 104729) % 5) },
          ];
        }).flat();
        await client.publishAsync(`opsroom/v1/devices/${DEVICE}/readings`, JSON.stringify(readings), { qos: 1 });
      }
    } finally {
      await client.endAsync();
    }
  }

  const rig = useUiRig('chart');

  beforeAll(async () => {
    await publishHistory();
    await publishJump(rig.app.mqttUrl, ALERT_DEVICE, secrets.devices[ALERT_DEVICE] as string);
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
  });

  async function newPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await rig.browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    return { page, errors: collectErrors(page) };
  }

  /** The chart's next GET /api/history (mean line) whose span satisfies `ok`, as its query. */
  function nextHistory(page: Page, ok: (span: number) => boolean): Promise<URLSearchParams> {
    return page
      .waitForRequest((r) => {
        if (!r.url().includes('/api/history?')) return false;
        const q = new URL(r.url()).searchParams;
        return q.get('aggregate') === 'mean' && ok(Number(q.get('to')) - Number(q.get('from')));
      })
      .then((r) => new URL(r.url()).searchParams);
  }

  /** Waits until the chart has drawn its lines after a load. */
  async function settled(page: Page): Promise<void> {
    await page.waitForFunction(() => {
      const panel = document.querySelector('.chart-panel') as HTMLElement | null;
      return (
        !!panel && panel.dataset.loading === undefined && document.querySelectorAll('svg.chart path.line').length > 0
      );
    });
  }

  it('shows the chart and the top of the alert list without scrolling at 1366x768', async () => {
    const { page, errors } = await newPage();
    // The cooperative: its chart, and the alert raised at one of its workshops at the top of the list.
    await page.goto(`${rig.app.httpUrl}/#/valle/norte/lana`);
    await signIn(page, 'planner', secrets.users.planner as string);
    await settled(page);
    const card = page.locator('[data-testid^="alert-"]:not([data-testid="alerts-count"])').first();
    await card.waitFor({ state: 'visible', timeout: 20_000 });
    await page.waitForTimeout(1000); // the scene's camera ease, for the picture
    await page.screenshot({ path: join(ARTIFACTS, 'chart-1366x768.png') });
    const chart = (await page.locator('.chart-panel').boundingBox())!;
    expect(chart.y).toBeGreaterThanOrEqual(0);
    expect(chart.y + chart.height).toBeLessThanOrEqual(768);
    const first = (await card.boundingBox())!;
    expect(first.y + Math.min(first.height, 60)).toBeLessThanOrEqual(768); // the first alert's head at least
    // Nothing scrolled to get there.
    await expect(page.evaluate(() => [window.scrollY, document.querySelector('.centre')!.scrollTop])).resolves.toEqual([
      0, 0,
    ]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('reads presets and wheel zoom from /api/history, reads out under the pointer, and exports what is charted as CSV', async () => {
    const { page, errors } = await newPage();
    await page.goto(`${rig.app.httpUrl}/#/${DEVICE_NODE}`);
    await signIn(page, 'planner', secrets.users.planner as string);
    await settled(page);

    // The 7 d preset: windows from the tiers, the min-max band behind the mean line.
    const week = nextHistory(page, (span) => Math.abs(span - 7 * DAY) < MIN);
    await page.locator('.chart-range[data-range="7d"]').click();
    const q7 = await week;
    expect(Number(q7.get('maxPoints'))).toBeGreaterThanOrEqual(100);
    await settled(page);
    await expect(page.locator('.chart-range[data-range="7d"]').getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(page.locator('.chart-status').textContent()).resolves.toMatch(/Means of \d+ min windows/);
    expect(Number(await page.locator('svg.chart path.band').getAttribute('data-points'))).toBeGreaterThan(100);
    await expect(page.locator('.chart-legend').textContent()).resolves.toMatch(/min–max of each window/);

    // The read-out: time, value and unit of the point under the pointer, and its window's range.
    const overlay = (await page.locator('svg.chart rect.zoom-overlay').boundingBox())!;
    await page.mouse.move(overlay.x + overlay.width * 0.6, overlay.y + overlay.height / 2);
    await expect(page.getByTestId('chart-readout').textContent()).resolves.toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d, \d+ min window · Production output: [\d.,]+ units\/h \([\d.,]+–[\d.,]+\)$/,
    );
    await page.locator('.chart-panel').screenshot({ path: join(ARTIFACTS, 'chart-7d-hover.png') });

    // Wheel zoom in: the chart asks again for a narrower span (no longer a preset, not live).
    const zoomed = nextHistory(page, (span) => span < 6 * DAY);
    await page.mouse.wheel(0, -600);
    const qz = await zoomed;
    await settled(page);
    await expect(page.locator('.chart-range[aria-pressed="true"]').count()).resolves.toBe(0);
    // Drag to pan back in time: the same span, earlier.
    const spanZ = Number(qz.get('to')) - Number(qz.get('from'));
    const panned = nextHistory(page, (span) => Math.abs(span - spanZ) < 1000);
    await page.mouse.move(overlay.x + overlay.width * 0.3, overlay.y + overlay.height / 2);
    await page.mouse.down();
    await page.mouse.move(overlay.x + overlay.width * 0.6, overlay.y + overlay.height / 2, { steps: 5 });
    await page.mouse.up();
    const qp = await panned;
    expect(Number(qp.get('to'))).toBeLessThan(Number(qz.get('to')));
    await settled(page);
    await page.mouse.move(overlay.x + overlay.width * 0.5, overlay.y + overlay.height / 2);
    await page.locator('.chart-panel').screenshot({ path: join(ARTIFACTS, 'chart-zoomed.png') });

    // CSV of what is charted: the mean line, then the band's min and max rows; the line's rows are
    // GET /api/history?format=csv's for the same query.
    const download = page.waitForEvent('download');
    await page.getByTestId('chart-csv').click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8').split('\r\n');
    expect(csv[0]).toBe('time,ts,node,indicator,unit,aggregate,step_ms,value');
    const line = Number(await page.locator('svg.chart path.line').getAttribute('data-points'));
    const band = Number(await page.locator('svg.chart path.band').getAttribute('data-points'));
    expect(csv.length - 2).toBe(line + 2 * band);
    const rows = csv.slice(1, -1).map((r) => r.split(','));
    expect(new Set(rows.map((r) => r[5]))).toEqual(new Set(band > 0 ? ['mean', 'min', 'max'] : ['mean']));
    qp.set('format', 'csv');
    const server = await page.request.get(`${rig.app.httpUrl}/api/history?${qp.toString()}`);
    expect(server.headers()['content-type']).toMatch(/^text\/csv/);
    const serverRows = (await server.text()).split('\r\n').slice(1, -1);
    expect(csv.slice(1, 1 + line)).toEqual(serverRows);
    expect(errors).toEqual([]);
  }, 90_000);

  it('charts the indicators of a node side by side, and a node with its children overlaid with a legend', async () => {
    const { page, errors } = await newPage();
    await page.goto(`${rig.app.httpUrl}/#/valle/norte/lana`);
    await signIn(page, 'planner', secrets.users.planner as string);
    await settled(page);
    await page.locator('.chart-range[data-range="7d"]').click();
    await settled(page);

    await page.getByTestId('chart-compare').selectOption('children');
    await page.waitForFunction(() => document.querySelectorAll('svg.chart path.line').length === 5);
    await settled(page);
    const legend = await page.locator('.chart-legend').textContent();
    for (const name of ['Cooperativa Lana', 'Taller 1', 'Taller 4']) expect(legend).toContain(name);
    await page.locator('.chart-panel').screenshot({ path: join(ARTIFACTS, 'chart-children.png') });

    await page.getByTestId('chart-compare').selectOption('indicators');
    await page.waitForFunction(() => document.querySelectorAll('svg.chart g.plot').length === 6);
    await settled(page);
    await expect(page.locator('svg.chart text.panel-title').first().textContent()).resolves.toBe(
      'Production output (units/h)',
    );
    const overlay = (await page.locator('svg.chart rect.zoom-overlay').boundingBox())!;
    await page.mouse.move(overlay.x + overlay.width * 0.7, overlay.y + 10);
    await expect(page.getByTestId('chart-readout').textContent()).resolves.toMatch(/Energy use: [\d.,]+ kWh/);
    await page.locator('.chart-panel').screenshot({ path: join(ARTIFACTS, 'chart-indicators.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'chart-indicators-1366x768.png') });
    // Six small multiples still fit above the fold.
    const chart = (await page.locator('.chart-panel').boundingBox())!;
    expect(chart.y + chart.height).toBeLessThanOrEqual(768);
    expect(errors).toEqual([]);
  }, 60_000);

  it('marks an alert raised in the range over history, a resolved one too', async () => {
    const { page, errors } = await newPage();
    await page.goto(`${rig.app.httpUrl}/#/${ALERT_NODE}`);
    await signIn(page, 'planner', secrets.users.planner as string);
    let alert: Alert | undefined;
    for (const until = Date.now() + 20_000; Date.now() < until && !alert;) {
      const res = await page.request.get(`${rig.app.httpUrl}/api/alerts?node=${ALERT_NODE}&indicator=output`);
      alert = ((await res.json()) as Alert[]).find((a) => a.node === ALERT_NODE);
      if (!alert) await page.waitForTimeout(250);
    }
    expect(alert).toBeDefined();
    const resolved = await page.request.post(`${rig.app.httpUrl}/api/alerts/${alert!.id}/resolve`, {
      data: { note: 'chart test: the jump was a planned change' },
    });
    expect(resolved.ok()).toBe(true);
    // A fresh page: the room holds only open alerts, so the mark comes from the range's history.
    await page.reload();
    await settled(page);
    await page.locator('.chart-range[data-range="6h"]').click();
    await settled(page);
    await page.locator('.chart-range[data-range="1h"]').click();
    await settled(page);
    const mark = page.locator(`svg.chart g.anomaly[data-state="resolved"]`);
    await mark.first().waitFor({ state: 'attached' });
    await expect(mark.locator('title').first().textContent()).resolves.toMatch(/change .*\(p=.*\), resolved$/);
    await page.locator('.chart-panel').screenshot({ path: join(ARTIFACTS, 'chart-anomaly-history.png') });
    expect(errors).toEqual([]);
  }, 60_000);
});
