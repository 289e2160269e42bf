/**
 * The envelope of every message between the servers of a federation (issue 19): roll-ups and escalated alerts going
 * up the uplink (point 2, not built yet) travel inside it. It carries the model hash of the sender, and a receiver
 * refuses a message whose hash is not its own: two servers running different models would read each other's node
 * paths and indicators wrongly. `seq` numbers a sender's messages (1, 2, …) so a receiver can spot gaps and repeats.
 */

/** The envelope format's version. */
export const ENVELOPE_VERSION = 1;

export interface Envelope<B = unknown> {
  v: typeof ENVELOPE_VERSION;
  /** The sender's model hash: sha256, 64 lower-case hex digits (server/src/model/model-hash.ts). */
  modelHash: string;
  /** The sending server's id (`servers[].id` in the model). */
  from: string;
  /** The sender's message number: a whole number >= 0. */
  seq: number;
  body: B;
}

export type EnvelopeErrorCode = 'OPS_ERR_ENVELOPE_MALFORMED' | 'OPS_ERR_MODEL_HASH_MISMATCH';

/** A message refused by {@link decodeEnvelope}: malformed, or sent under another model. */
export class EnvelopeError extends Error {
  constructor(
    readonly code: EnvelopeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

const HASH = /^[0-9a-f]{64}$/;

/** The envelope as JSON text. Throws an EnvelopeError for a field that would not decode. */
export function encodeEnvelope<B>(e: Envelope<B>): string {
  const problem = envelopeProblem(e);
  if (problem) throw new EnvelopeError('OPS_ERR_ENVELOPE_MALFORMED', `cannot send this server message: ${problem}`);
  return JSON.stringify({ v: e.v, modelHash: e.modelHash, from: e.from, seq: e.seq, body: e.body });
}

/**
 * Reads a message from another server, checked against this server's model hash. Throws an EnvelopeError:
 * `OPS_ERR_ENVELOPE_MALFORMED` for text that is not an envelope, `OPS_ERR_MODEL_HASH_MISMATCH` (naming both hashes)
 * when the sender runs another model.
 */
export function decodeEnvelope(text: string, ownModelHash: string): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new EnvelopeError('OPS_ERR_ENVELOPE_MALFORMED', `a server message is not JSON: ${(err as Error).message}`);
  }
  const problem = envelopeProblem(parsed);
  if (problem) throw new EnvelopeError('OPS_ERR_ENVELOPE_MALFORMED', `a server message was refused: ${problem}`);
  const e = parsed as Envelope;
  if (e.modelHash !== ownModelHash)
    throw new EnvelopeError(
      'OPS_ERR_MODEL_HASH_MISMATCH',
      `a message from server "${e.from}" was refused: it runs the model with hash ${e.modelHash}, this server runs ` +
        `${ownModelHash}; give both servers the same model file (\`opsroom model validate FILE\` prints its hash)`,
    );
  return { v: e.v, modelHash: e.modelHash, from: e.from, seq: e.seq, body: e.body };
}

/** What is wrong with a would-be envelope, or undefined. */
function envelopeProblem(x: unknown): string | undefined {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return 'it is not an object';
  const e = x as Record<string, unknown>;
  if (e.v !== ENVELOPE_VERSION) return `its version is ${JSON.stringify(e.v)}, this server reads version 1`;
  if (typeof e.modelHash !== 'string' || !HASH.test(e.modelHash))
    return '"modelHash" must be a sha256 hash: 64 lower-case hex digits';
  if (typeof e.from !== 'string' || e.from === '') return '"from" must be the id of the sending server';
  if (typeof e.seq !== 'number' || !Number.isSafeInteger(e.seq) || e.seq < 0)
    return '"seq" must be a whole number >= 0';
  if (!('body' in e) || e.body === undefined) return 'it has no "body"';
  return undefined;
}
