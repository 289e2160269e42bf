import { afterEach, describe, expect, it } from '@jest/globals';
import { ApiError } from '../data/api.js';
import { ERROR_KEYS, errorText } from './error-text.js';
import { LANGUAGES, setLanguage, t } from './i18n.js';

const CONFLICT = 'the alert is not in a state that allows this: cannot acknowledge an alert that is acknowledged';

describe('error answers in words', () => {
  afterEach(() => setLanguage('en'));

  it("keeps the server's English message in English, with its detail", () => {
    expect(errorText('OPS_ERR_CONFLICT', CONFLICT)).toBe(CONFLICT);
    expect(new ApiError(409, 'OPS_ERR_CONFLICT', CONFLICT).message).toBe(CONFLICT);
  });

  it("says a known code in Spanish from the catalogue, and keeps the server's message of an unknown code", () => {
    setLanguage('es');
    expect(errorText('OPS_ERR_CONFLICT', CONFLICT)).toBe('La alerta no está en un estado que permita esto.');
    expect(errorText('OPS_ERR_NOT_FOUND', 'no such resource in your scope: alert x')).toBe(
      'No se encuentra dentro de su ámbito.',
    );
    expect(errorText('OPS_ERR_STATE_UNAVAILABLE', 'the state database could not save this change')).toMatch(
      /^El servidor no pudo guardar este cambio/,
    );
    expect(errorText('FST_ERR_CTP_INVALID_MEDIA_TYPE', 'Unsupported Media Type')).toBe('Unsupported Media Type');
    expect(errorText(undefined, '502 Bad Gateway')).toBe('502 Bad Gateway');
    const err = new ApiError(403, 'OPS_ERR_FORBIDDEN_ACTION', 'your role may not do this: role council …');
    expect(err.message).toBe('Su rol no permite hacer esto.');
    expect(err.serverMessage).toBe('your role may not do this: role council …');
  });

  it("has a message in every language for every code, and covers every code of the server's registry", () => {
    for (const lang of Object.keys(LANGUAGES) as Array<keyof typeof LANGUAGES>) {
      setLanguage(lang);
      for (const key of Object.values(ERROR_KEYS)) expect(t(key)).toMatch(/\.$/);
    }
    expect(Object.keys(ERROR_KEYS)).toEqual(
      // server/src/errors.ts's registry, and the 500 answer's code
      expect.arrayContaining([
        ...['OPS_ERR_UNAUTHENTICATED', 'OPS_ERR_BAD_CREDENTIALS', 'OPS_ERR_RATE_LIMITED', 'OPS_ERR_NOT_FOUND'],
        ...['OPS_ERR_FORBIDDEN_ACTION', 'OPS_ERR_BAD_REQUEST', 'OPS_ERR_CONFLICT', 'OPS_ERR_EXISTS'],
        ...['OPS_ERR_MODEL_REFUSED', 'OPS_ERR_MODEL_CHANGED', 'OPS_ERR_MODEL_UNWRITABLE', 'OPS_ERR_CSRF'],
        'OPS_ERR_MODEL_READ_ONLY',
        ...['OPS_ERR_STATE_UNAVAILABLE', 'OPS_ERR_SERVER_UNREACHABLE', 'OPS_ERR_INTERNAL'],
      ]),
    );
  });
});
