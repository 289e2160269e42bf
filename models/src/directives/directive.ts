/**
 * Directives: what a person at a node sends to the devices of that node about an alert
 * (`POST /api/alerts/:id/directive`), on each device's `commands` topic; and the acknowledgement an
 * edge agent publishes on its `status` topic when one arrives. One definition for the server (which
 * encodes directives and decodes acknowledgements) and the agent (which does the reverse).
 */

/** A directive as the server publishes it (JSON, QoS 1) on `opsroom/v1/devices/<id>/commands`. */
export interface Directive {
  type: 'directive';
  /** The alert it is about. */
  alert: string;
  indicator: string;
  /** The user who sent it. */
  from: string;
  note?: string;
  /** When it was sent (ISO 8601). */
  at: string;
}

/** What an edge agent publishes (JSON) on its status topic when a directive arrives. */
export interface DirectiveAck {
  type: 'directive-ack';
  /** The directive's `alert` (or `id`) field, null when it has neither. */
  alert: string | null;
  /** The device that received it (informative: the server takes the device from the topic). */
  deviceId?: string;
  /** When the agent received it (ISO 8601). */
  at?: string;
}

/** Acknowledgement payloads larger than this are not acknowledgements (bytes). */
export const DIRECTIVE_ACK_MAX_BYTES = 4096;
const ALERT_ID_MAX = 64;
const AT_MAX = 40;
const DEVICE_ID_MAX = 64;

export function encodeDirective(d: Directive): string {
  return JSON.stringify(d);
}

/**
 * The acknowledgement of a directive as the agent received it (any JSON value): its `alert` field,
 * else its `id` field, when that is a string.
 * @example directiveAck({ type: 'directive', alert: 'a1' }, 'unit-1', 0) // { type: 'directive-ack', alert: 'a1',
 * deviceId: 'unit-1', at: '1970-01-01T00:00:00.000Z' }
 */
export function directiveAck(directive: unknown, deviceId: string, at: number): Required<DirectiveAck> {
  const d = (typeof directive === 'object' && directive !== null ? directive : {}) as Record<string, unknown>;
  const id = typeof d.alert === 'string' ? d.alert : typeof d.id === 'string' ? d.id : null;
  return { type: 'directive-ack', alert: id, deviceId, at: new Date(at).toISOString() };
}

export function encodeDirectiveAck(ack: DirectiveAck): string {
  return JSON.stringify(ack);
}

/**
 * A status payload read as a directive acknowledgement, or null when it is something else (health
 * readings, line protocol, a too-large or malformed document). Strings are cut to bounded lengths.
 * @example decodeDirectiveAck('{"type":"directive-ack","alert":"a1"}') // { type: 'directive-ack', alert: 'a1' }
 */
export function decodeDirectiveAck(payload: string | Uint8Array): DirectiveAck | null {
  const size = typeof payload === 'string' ? payload.length : payload.byteLength;
  if (size > DIRECTIVE_ACK_MAX_BYTES) return null;
  const first = typeof payload === 'string' ? payload.charCodeAt(0) : payload[0];
  if (first !== 0x7b) return null; // '{': not a JSON object
  let doc: unknown;
  try {
    doc = JSON.parse(typeof payload === 'string' ? payload : new TextDecoder().decode(payload));
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null || (doc as { type?: unknown }).type !== 'directive-ack') return null;
  const o = doc as Record<string, unknown>;
  const ack: DirectiveAck = {
    type: 'directive-ack',
    alert: typeof o.alert === 'string' ? o.alert.slice(0, ALERT_ID_MAX) : null,
  };
  if (typeof o.deviceId === 'string') ack.deviceId = o.deviceId.slice(0, DEVICE_ID_MAX);
  if (typeof o.at === 'string') ack.at = o.at.slice(0, AT_MAX);
  return ack;
}
