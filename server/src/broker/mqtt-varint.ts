/** An MQTT variable byte integer ([MQTT-1.5.5]), as in a remaining length: 7 bits per byte, high bit = more. */
export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
