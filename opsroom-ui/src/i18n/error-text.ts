import { language, t, type MessageKey } from './i18n.js';

/**
 * The server's error codes the room can meet (server/src/errors.ts's registry, plus the 500 answer's
 * OPS_ERR_INTERNAL), each with its catalogue message. The federation's envelope codes travel between
 * servers only and are not here.
 */
export const ERROR_KEYS = {
  OPS_ERR_UNAUTHENTICATED: 'error.unauthenticated',
  OPS_ERR_BAD_CREDENTIALS: 'error.badCredentials',
  OPS_ERR_RATE_LIMITED: 'error.rateLimited',
  OPS_ERR_NOT_FOUND: 'error.notFound',
  OPS_ERR_FORBIDDEN_ACTION: 'error.forbidden',
  OPS_ERR_BAD_REQUEST: 'error.badRequest',
  OPS_ERR_CONFLICT: 'error.conflict',
  OPS_ERR_EXISTS: 'error.exists',
  OPS_ERR_MODEL_REFUSED: 'error.modelRefused',
  OPS_ERR_MODEL_CHANGED: 'error.modelChanged',
  OPS_ERR_MODEL_READ_ONLY: 'error.modelReadOnly',
  OPS_ERR_MODEL_UNWRITABLE: 'error.modelUnwritable',
  OPS_ERR_CSRF: 'error.csrf',
  OPS_ERR_STATE_UNAVAILABLE: 'error.stateUnavailable',
  OPS_ERR_SERVER_UNREACHABLE: 'error.serverUnreachable',
  OPS_ERR_INTERNAL: 'error.internal',
} as const satisfies Record<string, MessageKey>;

/**
 * What the room says for an error answer. In English it is the server's own message (the registry's
 * sentence and the detail after it, e.g. which alert or which state); in another language it is the
 * catalogue's sentence for the code, without the English detail. An unknown code (or none, e.g.
 * fastify's own FST_… answers) keeps the server's message in every language.
 * @example errorText('OPS_ERR_CONFLICT', 'the alert is not in a state that allows this: cannot …') // Spanish:
 *   'La alerta no está en un estado que permita esto.'
 */
export function errorText(code: string | undefined, serverMessage: string): string {
  if (code === undefined || language() === 'en' || !Object.prototype.hasOwnProperty.call(ERROR_KEYS, code)) {
    return serverMessage;
  }
  return t(ERROR_KEYS[code as keyof typeof ERROR_KEYS]);
}
