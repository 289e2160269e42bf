import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Logger } from '@opsroom/models';
import { hashSecret } from '../../src/auth/hash.js';
import { FederationState } from '../../src/federation/federation-state.js';
import { startUplinkClient, type UplinkClient } from '../../src/federation/uplink-client.js';
import { startOpsroom, type RunningOpsroom } from '../../src/start.js';
import { openStateDatabase, type OpenedState } from '../../src/state/state-db.js';
import { federatedModelText, linkedServers } from '../support/federated-model.js';

/**
 * A council whose messages its region refuses (here: another model file, so another model hash) is told so in its own
 * log: the region withholds its PUBACK and logs why, and the council's uplink says its message is stuck and where to
 * look, once per stuck message, while nothing is lost from its outbox.
 */
const SECRET = 'stall-secret';
/** A well-formed model hash that is not the region's. */
const OTHER_HASH = '0'.repeat(64);

describe("the uplink says when the parent withholds its acknowledgement (issue 19, a council's log)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-stall-'));
  let region: RunningOpsroom;
  let opened: OpenedState;
  let uplink: UplinkClient | undefined;
  const warnings: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const logger: Logger = {
    info: () => undefined,
    debug: () => undefined,
    error: () => undefined,
    warn: (obj: Record<string, unknown>, msg?: string) => warnings.push({ obj, msg: msg ?? '' }),
  } as unknown as Logger;

  beforeAll(async () => {
    const model = join(dir, 'valle.yaml');
    writeFileSync(model, federatedModelText(hashSecret('demo'), linkedServers(hashSecret(SECRET), ['norte'])));
    region = await startOpsroom({
      model,
      serverId: 'region',
      dataDir: join(dir, 'region'),
      host: '127.0.0.1',
      httpPort: 0,
      mqttPort: 0,
      logger: false,
    });
    opened = openStateDatabase(join(dir, 'norte'));
  }, 30_000);
  afterAll(async () => {
    await uplink?.close();
    opened?.db.close();
    await region?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns once that message 1 is stuck, naming the model hash to compare, keeps it, and sends it once the models agree', async () => {
    const fed = new FederationState(opened.db, Date.now);
    let hash = OTHER_HASH;
    const seq = fed.append('region', 'rollup', { kind: 'rollup', node: 'valle/norte', periods: [] });
    uplink = startUplinkClient({
      url: region.linkUrl!,
      serverId: 'norte',
      secret: SECRET,
      parent: 'region',
      state: fed,
      modelHash: () => hash,
      onDown: () => true,
      logger,
      pollMs: 50,
      stallWarnMs: 300,
    });
    const stuck = () => warnings.filter((w) => w.msg.startsWith('uplink: the parent server has not accepted'));
    for (const until = Date.now() + 10_000; stuck().length === 0 && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 50));
    expect(stuck()).toHaveLength(1);
    expect(stuck()[0]!.obj).toMatchObject({ parent: 'region', seq, modelHash: OTHER_HASH });
    expect(stuck()[0]!.msg).toMatch(/another model file/);
    await new Promise((r) => setTimeout(r, 600)); // several more checks of the same stuck message
    expect(stuck()).toHaveLength(1);
    expect(fed.backlog('region')).toBe(1); // nothing lost: it waits for an answer
    hash = region.modelHash; // the same model file at last (a reload here)
    for (const until = Date.now() + 5000; fed.backlog('region') > 0 && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 50));
    expect(fed.backlog('region')).toBe(0); // sent anew, with the hash it has now, and accepted
  }, 20_000);
});
