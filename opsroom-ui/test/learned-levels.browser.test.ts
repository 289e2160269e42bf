import { expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../server/src/store/sqlite-store.js';
import {
  ARTIFACTS,
  collectErrors,
  demoSecrets,
  describeWithChromium,
  DEVICE,
  DEVICE_NODE,
  MODEL,
  signIn,
  useUiRig,
} from './browser-support.js';

const HOUR = 3_600_000;

/**
 * Issue 20 points 3 and 7: the values table says which of Beer's levels are learned from history
 * and which are set in the model. The demo model with taller-1's capability `learned`, on a data
 * directory already holding three days of its output (the level learner reads them at start-up):
 * its capability shows the learned 95th percentile marked "learned", its potentiality the model's
 * 150 marked "set", and a sibling's capability "set".
 */
describeWithChromium('learned and set levels in the values table', () => {
  const secrets = demoSecrets();
  const rig = useUiRig('learned', {
    model: async (dir) => {
      const yaml = readFileSync(MODEL, 'utf8').replace(
        'levels: { output: { capability: 120, potentiality: 150 } }',
        'levels: { output: { capability: learned, potentiality: 150 } }',
      );
      if (!yaml.includes('capability: learned')) throw new Error("valle.yaml changed: taller-1's levels not found");
      const model = join(dir, 'valle-learned.yaml');
      writeFileSync(model, yaml);
      // Three days of taller-1's output before the server opens the directory, in clock hours:
      // 90, 95, 100, 105 every quarter hour, so every hourly mean is 97.5. Its latest reading is
      // what the room shows as the value.
      const seed = SqliteStore.open(join(dir, 'data'));
      const start = Math.floor(Date.now() / HOUR) * HOUR - 72 * HOUR;
      const points = Array.from({ length: 72 * 4 }, (_, k) => ({
        node: DEVICE_NODE,
        metric: 'output',
        deviceId: DEVICE,
        ts: start + k * 15 * 60_000,
        value: 90 + (k % 4) * 5,
      }));
      await seed.writeBatch([...points, { ...points[0]!, ts: Date.now() - 2_000, value: 80 }]);
      await seed.close();
      return model;
    },
  });

  it('marks the learned capability and the set potentiality', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${rig.app.httpUrl}/#/${DEVICE_NODE}`);
    await signIn(page, 'planner', secrets.users.planner as string);
    const row = page.getByTestId(`value-${DEVICE_NODE}-output`).locator('xpath=ancestor::tr');
    const learned = row.locator('.level-source[data-source="learned"]');
    await learned.waitFor({ timeout: 20_000 });
    await expect(learned.count()).resolves.toBe(1);
    await expect(learned.locator('xpath=preceding-sibling::span').textContent()).resolves.toBe('97.5');
    await expect(learned.getAttribute('title')).resolves.toMatch(/history/i);
    await expect(row.locator('.level-source[data-source="set"]').count()).resolves.toBe(1);
    mkdirSync(ARTIFACTS, { recursive: true });
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'learned-levels.png') });

    await page.goto(`${rig.app.httpUrl}/#/valle/norte/lana/taller-2`);
    const sibling = page.getByTestId('value-valle/norte/lana/taller-2-output').locator('xpath=ancestor::tr');
    await sibling.locator('.level-source[data-source="set"]').first().waitFor();
    await expect(sibling.locator('.level-source[data-source="learned"]').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
