import type { Logger } from '../log/logger.js';

/** The message the agent publishes on its status topic when a directive arrives. */
export interface DirectiveAck {
  type: 'directive-ack';
  /** The directive's `alert` (or `id`) field, null when it has neither. */
  alert: string | null;
  deviceId: string;
  /** When the agent received it (ISO 8601, like the directive's own `at`). */
  at: string;
}

export interface DirectiveHandlerOptions {
  deviceId: string;
  logger: Logger;
  now: () => number;
  /** Publishes a status message (the acknowledgement); false when it could not be sent now. */
  publishStatus: (payload: string) => boolean;
  /** Called with each directive after it is logged and acknowledged. */
  onDirective?: (directive: unknown) => void;
}

/**
 * What the agent does with a directive from the commands topic: logs it, acknowledges it on the
 * status topic (the server records the acknowledgement in the alert's trail), remembers the last
 * one for the status file, and hands it to the embedding program.
 */
export class DirectiveHandler {
  private acked = 0;
  private lastDirective: unknown = null;

  constructor(private readonly opts: DirectiveHandlerOptions) {}

  /** Takes one directive as the publisher decoded it (any JSON value). */
  readonly handle = (directive: unknown): void => {
    const { deviceId, logger, now } = this.opts;
    this.lastDirective = directive;
    logger.info({ deviceId, directive }, 'directive received');
    if (this.opts.publishStatus(JSON.stringify(directiveAck(directive, deviceId, now())))) this.acked++;
    this.opts.onDirective?.(directive);
  };

  /** Acknowledgements published. */
  get ackedCount(): number {
    return this.acked;
  }

  /** The last directive received, null before the first. */
  get last(): unknown {
    return this.lastDirective;
  }
}

/**
 * The acknowledgement of a directive: its `alert` (or `id`) field when it is a string.
 * @example directiveAck({ type: 'directive', alert: 'a1' }, 'unit-1', 0) // { type: 'directive-ack', alert: 'a1', deviceId: 'unit-1', at: '1970-01-01T00:00:00.000Z' }
 */
export function directiveAck(directive: unknown, deviceId: string, at: number): DirectiveAck {
  const d = (typeof directive === 'object' && directive !== null ? directive : {}) as Record<string, unknown>;
  const id = typeof d.alert === 'string' ? d.alert : typeof d.id === 'string' ? d.id : null;
  return { type: 'directive-ack', alert: id, deviceId, at: new Date(at).toISOString() };
}
