/**
 * Every error the server reports to a caller, coded, in one registry. Each says what to do next.
 * HTTP answers carry `{ code, error, statusCode }`.
 */
export const ERRORS = {
  OPS_ERR_UNAUTHENTICATED: {
    status: 401,
    message: 'log in first: POST /api/login, then send the session cookie or `Authorization: Bearer <token>`',
  },
  OPS_ERR_BAD_CREDENTIALS: { status: 401, message: 'unknown user or wrong password' },
  OPS_ERR_RATE_LIMITED: { status: 429, message: 'too many failed logins; wait and retry later' },
  OPS_ERR_NOT_FOUND: { status: 404, message: 'no such resource in your scope' },
  OPS_ERR_FORBIDDEN_ACTION: { status: 403, message: 'your role may not do this' },
  OPS_ERR_BAD_REQUEST: { status: 400, message: 'the request is malformed' },
  OPS_ERR_CONFLICT: { status: 409, message: 'the alert is not in a state that allows this' },
  OPS_ERR_EXISTS: { status: 409, message: 'that name is taken; choose another' },
  OPS_ERR_MODEL_REFUSED: {
    status: 422,
    message: 'the model file would not be valid after this change, so nothing was changed; see the problems',
  },
  OPS_ERR_MODEL_CHANGED: {
    status: 409,
    message: 'the model file changed on disk while this change was made, so nothing was changed; retry',
  },
  OPS_ERR_MODEL_READ_ONLY: {
    status: 409,
    message:
      'the model file is read-only on this server (e.g. mounted read-only), so users and devices cannot be changed ' +
      'here; edit the model file where it lives: the server reloads it',
  },
  OPS_ERR_MODEL_UNWRITABLE: {
    status: 503,
    message: 'the model file could not be written, so nothing was changed; see the server log, then retry',
  },
  OPS_ERR_CSRF: { status: 403, message: 'cookie-authenticated writes must be JSON requests from the ops room origin' },
  OPS_ERR_SERVER_UNREACHABLE: {
    status: 503,
    message: 'the server that runs this part of the tree cannot be reached now; try again shortly',
  },
  OPS_ERR_STATE_UNAVAILABLE: {
    status: 503,
    message: 'the state database could not save this change, so nothing was changed; retry after Retry-After seconds',
  },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class OpsError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    /** For 429: when the caller may try again (sent as `Retry-After`, in whole seconds). */
    readonly retryAfterMs?: number,
  ) {
    super(detail ? `${ERRORS[code].message}: ${detail}` : ERRORS[code].message);
    this.name = 'OpsError';
    this.statusCode = ERRORS[code].status;
  }
}

/** A configuration problem found at start-up; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
