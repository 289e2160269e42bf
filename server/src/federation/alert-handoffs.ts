import type { Alert } from '@opsroom/models';
import type { FederationState } from './federation-state.js';

/** The actor of a change that came from another server over the federation link (`server:council-a`). */
export function serverActor(serverId: string): string {
  return `server:${serverId}`;
}

export interface HandoffRules {
  state: FederationState;
  /** This server's parent server and the top of its own subtree; absent for the server at the top. */
  parent?: { server: string; top: string };
}

/**
 * What the federation must hear of saved alert changes (issue 19 point 2), queued in the outbox inside the alerts'
 * own save transaction (SqliteAlertRepository's `alsoInTransaction`), so the hand-off is durable exactly when the
 * change is, whether the link is up or not:
 *
 * - an alert whose correction window ran out at this server's top (it escalates out of this server) is linked as
 *   `handed` to the parent server and sent up whole (`alert`);
 * - every later saved change of a handed alert is sent up again (the parent takes what it needs: a resolve);
 * - a mirror (an alert a child server handed here) resolved on this server sends `resolve` down to that child
 *   (resolved wins from any level); a directive sent on a mirror goes down as `directive`, to reach the devices of the
 *   alert's node through the child.
 *
 * Returns how many messages it queued. A change whose latest trail entry came from the peer itself is not echoed back. In a deeper federation a server in
 * the middle holds both links for a child's hand-off that escalates on out of its own top, and passes changes both
 * ways.
 */
export function recordHandoffs(alerts: readonly Alert[], rules: HandoffRules): number {
  const { state, parent } = rules;
  let queued = 0;
  const queue = (peer: string, kind: string, body: unknown) => {
    state.append(peer, kind, body);
    queued++;
  };
  for (const a of alerts) {
    const last = a.trail.at(-1);
    const handedTo = state.link(a.id, 'handed');
    if (handedTo === undefined) {
      if (
        parent &&
        a.owner === parent.top &&
        a.state === 'escalated' &&
        last?.action === 'escalated' &&
        (last.says?.key === 'escalatedUp' || last.says?.key === 'escalatedRoot')
      ) {
        state.setLink(a.id, parent.server, 'handed');
        queue(parent.server, 'alert', { alert: a });
      }
    } else if (last?.actor !== serverActor(handedTo)) queue(handedTo, 'alert', { alert: a });
    const mirrorOf = state.link(a.id, 'mirror');
    if (mirrorOf === undefined || last?.actor === serverActor(mirrorOf)) continue;
    if (last?.action === 'directive')
      queue(mirrorOf, 'directive', { id: a.id, by: last.actor, at: last.at, note: last.note ?? '' });
    else if (a.state === 'resolved' && last?.action === 'resolved')
      queue(mirrorOf, 'resolve', {
        id: a.id,
        by: last.actor,
        at: last.at,
        ...(last.note !== undefined ? { note: last.note } : {}),
      });
  }
  return queued;
}
