/**
 * A large model for the memory bench: the demo model's indicators, users and levels, with a tree of
 * `councils × coops × workshops` workshops under the `valle` root and `devices` devices spread
 * round-robin over the workshops. Every device shares one secret hash (the bench never connects
 * them: it publishes through an external broker, which attributes readings by topic).
 *
 * Example: generateModel(dir, { devices: 16_667 }) → 2,000 workshops, 16,667 devices, and with the
 * 6 demo indicators 100,002 (node, indicator, device) series once every device reported each indicator.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const REPO = new URL('../../', import.meta.url).pathname;
const DEMO_MODEL = join(REPO, 'models/examples/valle.yaml');

export interface GeneratedModel {
  file: string;
  deviceIds: string[];
  indicators: string[];
  workshops: number;
}

export function generateModel(
  dir: string,
  opts: { devices: number; councils?: number; coops?: number; workshops?: number },
): GeneratedModel {
  const councils = opts.councils ?? 10;
  const coops = opts.coops ?? 10;
  const perCoop = opts.workshops ?? 20;
  const demo = parse(readFileSync(DEMO_MODEL, 'utf8')) as {
    indicators: Array<{ id: string }>;
    devices: Array<{ secret_hash: string }>;
    nodes: Array<Record<string, unknown>>;
    [k: string]: unknown;
  };
  const workshopPaths: string[] = [];
  const root = {
    id: 'valle',
    name: 'Valle (generated)',
    weights: { members: 1 },
    children: Array.from({ length: councils }, (_, c) => ({
      id: `c${c}`,
      name: `Council ${c}`,
      weights: { members: 1 },
      children: Array.from({ length: coops }, (_, k) => ({
        id: `k${k}`,
        name: `Coop ${c}.${k}`,
        weights: { members: 1 },
        children: Array.from({ length: perCoop }, (_, w) => {
          workshopPaths.push(`valle/c${c}/k${k}/w${w}`);
          return { id: `w${w}`, name: `Workshop ${c}.${k}.${w}`, weights: { members: 1 } };
        }),
      })),
    })),
  };
  const hash = demo.devices[0]!.secret_hash;
  const deviceIds = Array.from({ length: opts.devices }, (_, i) => `dev-${i}`);
  const model = {
    ...demo,
    name: `Generated: ${workshopPaths.length} workshops, ${opts.devices} devices`,
    nodes: [root],
    // Only the users whose scope is the root (the others name demo nodes this tree does not have).
    users: (demo.users as Array<{ scope: string }>).filter((u) => u.scope === 'valle'),
    devices: deviceIds.map((id, i) => ({ id, node: workshopPaths[i % workshopPaths.length]!, secret_hash: hash })),
  };
  const file = join(dir, 'generated-model.yaml');
  writeFileSync(file, stringify(model, { lineWidth: 0 }));
  return { file, deviceIds, indicators: demo.indicators.map((i) => i.id), workshops: workshopPaths.length };
}

/** The readings the bench sends per device: every indicator, `perSeries` readings 1 s apart. */
export function deviceReadings(
  indicators: readonly string[],
  perSeries: number,
  t0: number,
  i: number,
): Array<{ metric: string; value: number; ts: number }> {
  const out = [];
  for (let k = 0; k < perSeries; k++)
    for (const metric of indicators) out.push({ metric, value: 100 + ((i + k) % 7), ts: t0 + k * 1000 });
  return out;
}
