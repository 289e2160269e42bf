/**
 * Watches an MQTT byte stream and says when a packet announces more than the limit, from its
 * fixed header alone ([MQTT-2.2.3] remaining length), before a byte of its body is buffered: a
 * client announcing 200 MiB is cut off at the fifth byte instead of being read into memory.
 * Before authentication the limit is small (a CONNECT); after, it is the broker's packet limit.
 *
 * @example
 *   const g = new PacketGuard(64 * 1024);
 *   g.accept(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f])) // false: CONNECT announcing 256 MiB
 */
export class PacketGuard {
  /** Body bytes of the current packet still to pass. */
  private skip = 0;
  /** Inside a remaining-length field: its value so far and the next byte's multiplier. */
  private inLength = false;
  private length = 0;
  private multiplier = 1;
  /** Why the stream was refused, once it was. */
  refused: string | null = null;

  constructor(
    /** Largest remaining length allowed, bytes. */
    public limit: number,
  ) {}

  /** Feeds the next bytes; false once a packet is over the limit or its length is malformed. */
  accept(buf: Uint8Array): boolean {
    if (this.refused) return false;
    let i = 0;
    while (i < buf.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, buf.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      if (!this.inLength) {
        i++; // the fixed header's first byte: packet type and flags
        this.inLength = true;
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      const b = buf[i++]!;
      this.length += (b & 0x7f) * this.multiplier;
      if (this.length > this.limit) {
        this.refused = `packet of ${this.length}+ bytes over the limit of ${this.limit}`;
        return false;
      }
      if (b & 0x80) {
        this.multiplier *= 128;
        if (this.multiplier > 128 ** 3) {
          this.refused = 'malformed remaining length'; // [MQTT-1.5.3] at most four bytes
          return false;
        }
        continue;
      }
      this.inLength = false;
      this.skip = this.length;
    }
    return true;
  }
}
