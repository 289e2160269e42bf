import { directiveAck, encodeDirectiveAck } from '@opsroom/models';
import type { Logger } from '../log/logger.js';

export type { DirectiveAck } from '@opsroom/models';

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
    if (this.opts.publishStatus(encodeDirectiveAck(directiveAck(directive, deviceId, now())))) this.acked++;
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
