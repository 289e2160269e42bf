import type { Alert } from '@opsroom/models';

/**
 * Which directive acknowledgements a device may still give. The alert's trail is the ledger: it
 * records every directive sent down (`directive`, to the alert's origin node, whose devices get it
 * on their commands topic) and every acknowledgement accepted (`commented` by `device:<id>`), and
 * it is persisted with the alert, so the answer survives a restart. The trail policy
 * (alert-lifecycle.ts `appendTrail`) never drops either kind of entry, so the counts stay exact.
 *
 * A device may acknowledge each directive sent to its node once: an acknowledgement without a
 * directive awaiting one is ignored, so a device cannot write into a trail what it was never asked.
 * @example directiveAwaitingAck(alertWithOneDirective, 'taller-1-plc') // true, then false once its ack is in the trail
 */
export function directiveAwaitingAck(a: Alert, deviceId: string): boolean {
  const actor = deviceActor(deviceId);
  let sent = 0;
  let acked = 0;
  for (const e of a.trail) {
    if (e.action === 'directive' && e.toNode === a.node) sent++;
    else if (e.actor === actor) acked++;
  }
  return acked < sent;
}

/** How a device's acknowledgement is signed in the trail. */
export function deviceActor(deviceId: string): string {
  return `device:${deviceId}`;
}
