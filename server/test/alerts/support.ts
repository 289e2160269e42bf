// Helpers of the alert integration tests: a model with short correction windows, written to a temp dir.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { deviceTopic } from '@opsroom/models';
import { hashSecret } from '../../src/auth/hash.js';
import { stepStream } from '../support/step-stream.js';

export const PLANNER = { name: 'planner', password: 'planner-test-password' };
export const DEVICE = { id: 'press-plc', secret: 'press-plc-test-secret', node: 'site/area/press' };

/** A device on lathe, for tests that want one more (see {@link writeShortWindowModel}). */
export const LATHE_DEVICE = { id: 'lathe-plc', secret: 'lathe-plc-test-secret', node: 'site/area/lathe' };

/**
 * site -> area -> {press, lathe}; windows in seconds: press/lathe `leafSec`, area `areaSec`,
 * site 600. One device on press (and `more` devices), one planner over everything.
 */
export function writeShortWindowModel(
  dir: string,
  leafSec: number,
  areaSec: number,
  more: ReadonlyArray<{ id: string; secret: string; node: string }> = [],
): string {
  const yaml = `name: Short windows
levels: [site, area, workshop]
correction_windows: { workshop: ${leafSec}, area: ${areaSec}, site: 600 }
indicators:
  - id: output
    unit: units/h
    rollup: sum
nodes:
  - id: site
    children:
      - id: area
        children:
          - id: press
          - id: lathe
devices:
${[DEVICE, ...more].map((d) => `  - id: ${d.id}\n    node: ${d.node}\n    secret_hash: "${hashSecret(d.secret)}"\n`).join('')}users:
  - name: ${PLANNER.name}
    role: planner
    scope: site
    password_hash: "${hashSecret(PLANNER.password)}"
`;
  const path = join(dir, 'short-windows.yaml');
  writeFileSync(path, yaml);
  return path;
}

/** 200 readings, one a second ending now, with a step from 100 to 160 at reading 170 (after the detector's learning): the detector sees a step. */
export async function publishStep(device: MqttClient, deviceId: string, indicator = 'output'): Promise<void> {
  const batch = stepStream().map((p) => ({ metric: indicator, value: p.value, ts: p.ts }));
  const n = batch.length;
  for (let i = 0; i < n; i += 20) {
    await device.publishAsync(deviceTopic(deviceId, 'readings'), JSON.stringify(batch.slice(i, i + 20)), { qos: 1 });
  }
}
