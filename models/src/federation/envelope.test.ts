import { describe, expect, it } from '@jest/globals';
import { decodeEnvelope, encodeEnvelope, EnvelopeError, type Envelope } from './envelope.js';

const A = 'a'.repeat(64);
const B = '0123456789abcdef'.repeat(4);
const env: Envelope<{ node: string; value: number }> = {
  v: 1,
  modelHash: A,
  from: 'norte',
  seq: 7,
  body: { node: 'valle/norte', value: 42 },
};

function refusal(f: () => unknown): EnvelopeError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(EnvelopeError);
    return err as EnvelopeError;
  }
  throw new Error('expected a refusal');
}

describe('server message envelope', () => {
  it('round-trips through encode and decode under the same model hash', () => {
    const text = encodeEnvelope(env);
    expect(JSON.parse(text)).toEqual(env);
    expect(decodeEnvelope(text, A)).toEqual(env);
  });

  it('refuses a message sent under another model, naming both hashes and the sender', () => {
    const e = refusal(() => decodeEnvelope(encodeEnvelope(env), B));
    expect(e.code).toBe('OPS_ERR_MODEL_HASH_MISMATCH');
    expect(e.message).toBe(
      `a message from server "norte" was refused: it runs the model with hash ${A}, this server runs ${B}; ` +
        'give both servers the same model file (`opsroom model validate FILE` prints its hash)',
    );
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['not an object', '[1]', /not an object/],
    ['another version', JSON.stringify({ ...env, v: 2 }), /version is 2/],
    ['a short hash', JSON.stringify({ ...env, modelHash: 'abc' }), /64 lower-case hex digits/],
    ['an upper-case hash', JSON.stringify({ ...env, modelHash: A.toUpperCase() }), /64 lower-case hex/],
    ['no sender', JSON.stringify({ ...env, from: '' }), /"from"/],
    ['a negative seq', JSON.stringify({ ...env, seq: -1 }), /"seq"/],
    ['a fractional seq', JSON.stringify({ ...env, seq: 1.5 }), /"seq"/],
    ['no body', JSON.stringify({ v: 1, modelHash: A, from: 'norte', seq: 1 }), /no "body"/],
  ])('refuses %s as malformed', (_what, text, why) => {
    const e = refusal(() => decodeEnvelope(text, A));
    expect(e.code).toBe('OPS_ERR_ENVELOPE_MALFORMED');
    expect(e.message).toMatch(why);
  });

  it('keeps only the envelope fields and will not encode a malformed one', () => {
    const extra = JSON.stringify({ ...env, extra: 'x' });
    expect(decodeEnvelope(extra, A)).toEqual(env);
    expect(refusal(() => encodeEnvelope({ ...env, seq: -1 })).code).toBe('OPS_ERR_ENVELOPE_MALFORMED');
  });
});
