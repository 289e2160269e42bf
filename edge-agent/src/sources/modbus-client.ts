/** The two register tables a Modbus source reads. */
export type RegisterTable = 'holding' | 'input';

/**
 * What the Modbus source needs from a Modbus connection (the outside system's interface):
 * read a run of 16-bit registers. Implementations: `ModbusTcpClient` (Modbus TCP, MBAP framing).
 * An RTU-over-serial client would implement the same.
 */
export interface ModbusClient {
  /**
   * Reads `count` (1–125) registers from `address` (0-based, as on the wire) of one table of
   * unit `unitId`; resolves with their raw unsigned values. Rejects with a message naming the
   * device and the problem (unreachable, timeout, Modbus exception code).
   */
  readRegisters(unitId: number, table: RegisterTable, address: number, count: number): Promise<number[]>;
  /** Closes the connection. Idempotent. */
  close(): void;
}

/** Modbus exception codes and what they mean (Modbus Application Protocol v1.1b3, 7). */
export const MODBUS_EXCEPTIONS: Readonly<Record<number, string>> = Object.freeze({
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
});
