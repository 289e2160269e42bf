/**
 * Directives out: when a person at a node sends a directive about an alert
 * (`POST /api/alerts/:id/directive`), every device of that node gets one on its commands topic.
 */
import type { Alert, Directive, Model } from '@opsroom/models';
import type { Actor } from './alert-lifecycle.js';

/** The directive each device of `node` gets, in the model's device order. */
export function directivesFor(
  model: Model,
  node: string,
  alert: Alert,
  actor: Actor,
  note: string,
  at: number,
): Array<{ deviceId: string; directive: Directive }> {
  const out: Array<{ deviceId: string; directive: Directive }> = [];
  for (const d of model.devices.values()) {
    if (d.node !== node) continue;
    out.push({
      deviceId: d.id,
      directive: {
        type: 'directive',
        alert: alert.id,
        indicator: alert.indicator,
        from: actor.name,
        note,
        at: new Date(at).toISOString(),
      },
    });
  }
  return out;
}
