const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** UTF-8 size of a payload, without encoding short strings (at most 3 bytes per UTF-16 unit). */
export function byteLength(payload: string | Uint8Array, max: number): number {
  if (typeof payload !== 'string') return payload.byteLength;
  if (payload.length * 3 <= max) return payload.length; // certainly within the limit; exact size not needed
  return encoder.encode(payload).byteLength;
}

/** The payload as text (TextDecoder drops a UTF-8 byte-order mark; a string's is dropped here). */
export function asText(payload: string | Uint8Array): string {
  if (typeof payload !== 'string') return decoder.decode(payload);
  return payload.charCodeAt(0) === 0xfeff ? payload.slice(1) : payload;
}
