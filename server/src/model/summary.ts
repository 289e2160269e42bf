import type { Model, ModelNode } from '@opsroom/models';

/**
 * A duration for people: whole hours, minutes and seconds, largest first.
 * @example formatSeconds(300) // '5 min'
 * @example formatSeconds(5400) // '1 h 30 min'
 * @example formatSeconds(0.5) // '0.5 s'
 */
export function formatSeconds(sec: number): string {
  if (sec < 60 || !Number.isInteger(sec)) return `${sec} s`;
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return [h ? `${h} h` : '', m ? `${m} min` : '', s ? `${s} s` : ''].filter(Boolean).join(' ');
}

const plural = (n: number, one: string, many = one + 's'): string => `${n} ${n === 1 ? one : many}`;

/**
 * What a model holds, as text lines for `opsroom model validate` and the start-up log:
 * nodes per level with their correction windows, indicators, devices and users.
 */
export function summarizeModel(model: Model): string[] {
  const byDepth: ModelNode[][] = [];
  for (const n of model.nodes.values()) (byDepth[n.depth] ??= []).push(n);
  const lines = [
    `model "${model.name}": ${plural(model.nodes.size, 'node')} in ` +
      `${plural(byDepth.length, 'level')}, root "${model.root}"`,
  ];
  byDepth.forEach((nodes, depth) => {
    const windows = nodes.map((n) => n.correctionWindowSec);
    const lo = Math.min(...windows);
    const hi = Math.max(...windows);
    const window =
      lo === hi
        ? `correction window ${formatSeconds(lo)}`
        : `correction windows ${formatSeconds(lo)} to ${formatSeconds(hi)}`;
    const level = model.levels[depth] ?? `depth ${depth}`;
    lines.push(`  ${level}: ${plural(nodes.length, 'node')}, ${window}`);
  });
  lines.push(`${plural(model.indicators.length, 'indicator')}`);
  for (const i of model.indicators) {
    const withLevels = [...model.nodes.values()].filter((n) => n.levels[i.id] !== undefined).length;
    const rule = i.rollup === 'weighted_mean' ? `weighted_mean by ${i.weight}` : i.rollup;
    const levels = withLevels ? `, capability/potentiality on ${plural(withLevels, 'node')}` : '';
    const learns = [i.learn?.capability && 'capability', i.learn?.potentiality && 'potentiality'].filter(Boolean);
    const learned = learns.length ? `, ${learns.join(' and ')} learned at every node without its own` : '';
    lines.push(`  ${i.id} (${i.name}) [${i.unit}], roll-up ${rule}${levels}${learned}`);
  }
  const boundTo = new Set([...model.devices.values()].map((d) => d.node)).size;
  lines.push(`${plural(model.devices.size, 'device')} bound to ${plural(boundTo, 'node')}`);
  lines.push(`${plural(model.users.size, 'user')}`);
  for (const u of model.users.values()) lines.push(`  ${u.name}: ${u.role}, scope ${u.scope}`);
  return lines;
}
