/**
 * What one client may cost the embedded broker, above all before it has authenticated (issue 16
 * point 2). Mosquitto's counterparts are in the mosquitto.conf that `opsroom broker-config` writes.
 */
export const BROKER_LIMITS = {
  /** Largest packet after authentication, bytes of remaining length: 4× the 256 KiB decode limit,
   * so a payload a little too big is still refused with an explanation on the rejects topic. */
  maxPacketBytes: 1024 * 1024,
  /** Largest packet before authentication (the CONNECT, with its will), bytes. */
  maxConnectBytes: 64 * 1024,
  /** A connection must have sent its CONNECT within this time, ms (aedes connectTimeout; also the TLS handshake). */
  connectTimeoutMs: 10_000,
  /** Connections not yet authenticated, at once: in all, and from one address. More are closed at once. */
  maxPendingConnections: 512,
  maxPendingPerAddress: 64,
  /** Authentication attempts (failures, plus those being checked) per window, counted before hashing. */
  authFailuresPerDeviceAndAddress: 10,
  authFailuresPerAddress: 30,
  authFailuresPerDevice: 100,
  authFailureWindowMs: 5 * 60_000,
  /** scrypt checks of device secrets: at most this many at once on libuv's pool (HTTP logins keep
   * the other threads), at most `hashQueue` waiting; beyond, CONNACK 3 (server unavailable). */
  hashConcurrency: 1,
  hashQueue: 64,
};
export type BrokerLimits = typeof BROKER_LIMITS;
