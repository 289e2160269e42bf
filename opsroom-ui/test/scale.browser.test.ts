import { expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashSecret } from '../../server/src/auth/hash.js';
import {
  ARTIFACTS,
  bigModel,
  collectErrors,
  COOPS,
  COUNCILS,
  describeWithChromium,
  frameTimes,
  signIn,
  useUiRig,
  WORKSHOPS,
} from './browser-support.js';

const PASSWORD = 'scale-test-password';

describeWithChromium('the ops room with 5,000 nodes', () => {
  const rig = useUiRig('scale', {
    model: (dir) => {
      const model = join(dir, 'big.yaml');
      writeFileSync(model, bigModel(hashSecret(PASSWORD)));
      return model;
    },
    startTimeoutMs: 120_000,
  });

  it('renders the room soon after sign-in, keeps frames short and answers a click on a node within a second', async () => {
    const page = await (await rig.browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    const errors = collectErrors(page);
    await page.goto(rig.app.httpUrl);
    const started = Date.now();
    await signIn(page, 'planner', PASSWORD);
    await page.getByTestId('node-root/c9/k49/w9').waitFor({ state: 'attached' });
    await page.locator('.scene canvas').waitFor({ state: 'attached' });
    // The first frame with the tree in it: two animation frames after the canvas is there.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const firstRenderMs = Date.now() - started;
    await expect(page.locator('[data-testid^="node-"]').count()).resolves.toBe(
      1 + COUNCILS + COUNCILS * COOPS + COUNCILS * COOPS * WORKSHOPS,
    );

    // Frame times over three seconds, measured in the page (requestAnimationFrame deltas).
    const { count, median, p95 } = await frameTimes(page, 3000);

    // Still interactive: a click on a node in the list moves the focus (URL, list, breadcrumbs) within a second.
    const focusMs = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const item = document.querySelector('[data-testid="node-root/c3"]') as HTMLElement;
          const t0 = performance.now();
          (item.querySelector('button') as HTMLButtonElement).click();
          const poll = () => {
            if (item.classList.contains('focused') && location.hash === '#/root/c3') resolve(performance.now() - t0);
            else if (performance.now() - t0 > 10_000) resolve(Infinity);
            else requestAnimationFrame(poll);
          };
          poll();
        }),
    );
    // While the camera eases to the new focus every frame is drawn: the cost of a full render.
    const moving = await frameTimes(page, 1500);
    const f = (x: number) => x.toFixed(1);
    console.log(
      `5,511 nodes: first render ${firstRenderMs} ms after sign-in; still room: ${count} frames in 3 s, median ${f(median)} ms, p95 ${f(p95)} ms; ` +
        `focus after click ${f(focusMs)} ms; camera moving: ${moving.count} frames in 1.5 s, median ${f(moving.median)} ms, p95 ${f(moving.p95)} ms`,
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'ops-room-5000.png') });
    expect(firstRenderMs).toBeLessThan(10_000);
    expect(median).toBeLessThan(50);
    expect(focusMs).toBeLessThan(1_000);
    // Software WebGL (no GPU here) draws the whole tree in a few hundred ms; a guard against worse.
    expect(moving.median).toBeLessThan(1_000);
    expect(errors).toEqual([]);
  }, 120_000);
});
