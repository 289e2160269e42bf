// Shared by the browser tests: paths, Chromium flags, sign-in and console-error collection.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startOpsroom, type RunningOpsroom, type StartOptions } from '@opsroom/server';
import { findBinary } from '../../server/test/support/require-binary.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const UI_DIR = join(REPO_ROOT, 'opsroom-ui/dist');
export const MODEL = join(REPO_ROOT, 'models/examples/valle.yaml');
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The device bound to valle/norte/lana/taller-1 in valle.yaml, and its demo secret. */
export const DEVICE = 'taller-1-plc';
export const DEVICE_NODE = 'valle/norte/lana/taller-1';
/** The device whose readings raise an alert in the alert test. */
export const ALERT_DEVICE = 'taller-2-plc';
export const ALERT_NODE = 'valle/norte/lana/taller-2';

export const chromiumPath = findBinary('chromium');
/** `describe` where the machine has Chromium, else `describe.skip`. */
export const describeWithChromium: typeof describe.skip = chromiumPath ? describe : describe.skip;

/** Debian's Chromium as every browser test runs it: headless, with the flags above (and `extraArgs`). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath as string,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/** The real server on free loopback ports, serving the built UI, with the example model unless told otherwise. */
export function startUiServer(dataDir: string, opts: Partial<StartOptions> = {}): Promise<RunningOpsroom> {
  return startOpsroom({
    host: '127.0.0.1',
    httpPort: 0,
    mqttPort: 0,
    dataDir,
    model: MODEL,
    uiDir: UI_DIR,
    logger: false,
    ...opts,
  });
}

/** One describe block's server and browser (set once its beforeAll has run). */
export interface UiRig {
  app: RunningOpsroom;
  browser: Browser;
  /** The block's own temporary directory: the server's data directory is `data` in it. */
  dir: string;
}

export interface UiRigOptions {
  /**
   * Writes the model the server runs into the block's directory and returns its path (default:
   * valle.yaml); it may also prepare the data directory (`dir/data`) before the server opens it.
   */
  model?: (dir: string) => string | Promise<string>;
  /** How long starting may take, ms (default 60 s). */
  startTimeoutMs?: number;
}

/**
 * The real server serving the built UI (free loopback ports, a fresh data directory) and Debian's
 * Chromium for one describe block: started in a beforeAll, closed in an afterAll (browser, server,
 * then the directory). Call it inside the describe block; a later beforeAll may use the rig.
 * @example const rig = useUiRig('shelve'); // then rig.app.httpUrl, rig.browser.newContext()
 */
export function useUiRig(name: string, opts: UiRigOptions = {}): UiRig {
  const rig = {} as UiRig;
  beforeAll(async () => {
    if (!existsSync(join(UI_DIR, 'index.html'))) {
      throw new Error(`the UI is not built (${UI_DIR}); run \`npm run build:ui\` first (npm test does it for you)`);
    }
    rig.dir = mkdtempSync(join(tmpdir(), `opsroom-ui-${name}-`));
    rig.app = await startUiServer(join(rig.dir, 'data'), opts.model ? { model: await opts.model(rig.dir) } : {});
    rig.browser = await launchChromium();
  }, opts.startTimeoutMs ?? 60_000);
  afterAll(async () => {
    await rig.browser?.close();
    await rig.app?.close();
    if (rig.dir) rmSync(rig.dir, { recursive: true, force: true });
  });
  return rig;
}

/** The example model's demo passwords and device secrets. */
export function demoSecrets(): { users: Record<string, string>; devices: Record<string, string> } {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'models/examples/valle.demo-credentials.json'), 'utf8')) as {
    users: Record<string, string>;
    devices: Record<string, string>;
  };
}

/**
 * Console errors and uncaught exceptions of a page. The page asks GET /api/session at load, which
 * answers 200 to nobody too, so no error is excused (there used to be a 401 from /api/me).
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

/** Requests of a page that failed (no answer) or were answered 4xx/5xx, as `STATUS METHOD URL`. */
export function collectFailedRequests(page: Page): string[] {
  const failed: string[] = [];
  page.on('response', (res) => {
    if (res.status() >= 400) failed.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on('requestfailed', (req) =>
    failed.push(`failed ${req.method()} ${req.url()}: ${req.failure()?.errorText ?? ''}`),
  );
  return failed;
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  const form = page.getByTestId('login-form');
  await form.waitFor({ state: 'visible' });
  await form.locator('input[name="username"]').fill(username);
  await form.locator('input[name="password"]').fill(password);
  await form.locator('button[type="submit"]').click();
  await page.getByTestId('room').waitFor({ state: 'visible' });
}

/**
 * Publishes fifty minutes of steady `output` then a jump to four times as much: a step change the
 * detector raises an alert on (it needs a warm-up history before it trusts a change).
 */
export async function publishJump(mqttUrl: string, device: string, secret: string): Promise<void> {
  const { default: mqtt } = await import('mqtt');
  const client = await mqtt.connectAsync(mqttUrl, { username: device, password: secret, reconnectPeriod: 0 });
  try {
    const now = Date.now();
    const readings = Array.from({ length: 160 }, (_, i) => ({
      metric: 'output',
      ts: now - (160 - i) * 20_000,
      value: i < 150 ? 100 + Math.sin(i / 3) * 2 : 400,
    }));
    await client.publishAsync(`opsroom/v1/devices/${device}/readings`, JSON.stringify(readings), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

/** requestAnimationFrame deltas over `ms`, measured in the page: count, median and 95th percentile. */
export async function frameTimes(page: Page, ms: number): Promise<{ count: number; median: number; p95: number }> {
  const deltas = await page.evaluate(
    (span) =>
      new Promise<number[]>((resolve) => {
        const out: number[] = [];
        let last = performance.now();
        const end = last + span;
        const step = (t: number) => {
          out.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(step);
          else resolve(out);
        };
        requestAnimationFrame(step);
      }),
    ms,
  );
  const sorted = [...deltas].sort((a, b) => a - b);
  return {
    count: deltas.length,
    median: sorted[Math.floor(sorted.length / 2)] as number,
    p95: sorted[Math.floor(sorted.length * 0.95)] as number,
  };
}

export const COUNCILS = 10;
export const COOPS = 50;
export const WORKSHOPS = 10;

/** A region of 10 councils × 50 cooperatives × 10 workshops: 5,511 nodes, one planner. */
export function bigModel(passwordHash: string): string {
  const out: string[] = [
    'name: Scale test federation',
    'levels: [region, council, cooperative, workshop]',
    'correction_windows: { workshop: 300, cooperative: 900, council: 3600, region: 14400 }',
    'indicators:',
    '  - { id: output, name: Production output, unit: units/h, rollup: sum }',
    'nodes:',
    '  - id: root',
    '    name: Region',
    '    children:',
  ];
  for (let c = 0; c < COUNCILS; c++) {
    out.push(`      - id: c${c}`, `        name: Council ${c}`, '        children:');
    for (let k = 0; k < COOPS; k++) {
      out.push(`          - id: k${k}`, `            name: Coop ${c}.${k}`, '            children:');
      for (let w = 0; w < WORKSHOPS; w++) out.push(`              - { id: w${w}, name: Workshop ${c}.${k}.${w} }`);
    }
  }
  out.push(
    'users:',
    '  - name: planner',
    '    role: planner',
    '    scope: root',
    `    password_hash: "${passwordHash}"`,
  );
  return out.join('\n') + '\n';
}
