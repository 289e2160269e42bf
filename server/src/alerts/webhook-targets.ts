import type { Model } from '@opsroom/models';
import { silentLogger, type Logger } from '../log/logger.js';
import type { WebhookLookup, WebhookTarget } from './webhook-notifier.js';

/**
 * The optional webhook of a node as the model file states it (proposed field; the model loader
 * maps YAML `notify: { webhook: https://…, secret_env: OPSROOM_WEBHOOK_NORTE }` to this):
 * the secret itself never sits in the model file, only the name of the environment variable
 * that holds it.
 */
export interface NodeNotify {
  webhook: string;
  secretEnv: string;
}

/**
 * Builds the webhook lookup of a model: each node's own `notify` (no inheritance: a node's
 * webhook hears the alerts that node owns, raised there or escalated to it). Nodes whose URL is
 * not http(s) or whose secret variable is unset or empty get none, with one warning each at start-up.
 */
export function webhookLookupFromModel(
  model: Model,
  env: NodeJS.ProcessEnv = process.env,
  logger: Logger = silentLogger,
): WebhookLookup {
  const targets = new Map<string, WebhookTarget>();
  for (const node of model.nodes.values()) {
    const notify = (node as { notify?: Partial<NodeNotify> }).notify;
    if (!notify?.webhook) continue;
    let url: URL;
    try {
      url = new URL(notify.webhook);
    } catch {
      logger.warn(
        { node: node.path },
        'webhook: the notify.webhook of this node is not a URL; its alerts are not posted',
      );
      continue;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      logger.warn(
        { node: node.path, protocol: url.protocol },
        'webhook: notify.webhook must be http:// or https://; its alerts are not posted',
      );
      continue;
    }
    const secret = notify.secretEnv ? env[notify.secretEnv] : undefined;
    if (!secret) {
      logger.warn(
        { node: node.path, env: notify.secretEnv },
        `webhook: set ${notify.secretEnv ?? 'the notify.secret_env variable'} ` +
          `to the shared secret; until then this node's alerts are not posted`,
      );
      continue;
    }
    targets.set(node.path, { url: url.toString(), secret });
  }
  return (node) => targets.get(node);
}
