/**
 * The naive baseline beside the pipeline's Mosquitto rows: what one would write first — one
 * mqtt.js client in a persistent session, `handleMessage` parses the JSON and inserts its readings
 * into better-sqlite3 (WAL, one transaction per message), then calls back so mqtt.js sends the
 * PUBACK after the insert. No validation, roll-up or detection. Same publisher and payloads as
 * fullPipeline; readings per second stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { allDevicesFilter, deviceTopic } from '@opsroom/models';
import { device, type Payload, type PublisherPlace } from './pipeline.js';

export async function naiveSubscriber(
  payload: Exclude<Payload, 'line100'>,
  count: number,
  brokerUrl: string,
  publisher: PublisherPlace = 'inline',
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-naive-'));
  const db = new Database(join(dir, 'naive.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(
      'CREATE TABLE readings (device TEXT, metric TEXT, ts INTEGER, value REAL, PRIMARY KEY (device, metric, ts)) WITHOUT ROWID',
    );
    const insert = db.prepare('INSERT OR IGNORE INTO readings VALUES (?, ?, ?, ?)');
    type Reading = { metric: string; value: number; ts: number };
    const insertAll = db.transaction((device: string, rs: Reading[]) => {
      for (const r of rs) insert.run(device, r.metric, r.ts, r.value);
    });
    const readings = payload === 'single' ? count : count * 100;
    let stored = 0;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const sub = await mqtt.connectAsync(brokerUrl, { clientId: 'bench-naive', clean: false });
    sub.handleMessage = (packet, cb) => {
      const device = packet.topic.split('/')[3]!;
      const body = JSON.parse(packet.payload.toString()) as Reading | Reading[];
      const rs = Array.isArray(body) ? body : [body];
      insertAll(device, rs);
      stored += rs.length;
      cb();
      if (stored >= readings) done();
    };
    await sub.subscribeAsync(allDevicesFilter('readings'), { qos: 1 });
    const pub = await device(publisher, {
      url: brokerUrl,
      topic: deviceTopic('taller-1-plc', 'readings'),
      payload,
      count,
      qos: 1,
      t0: Date.now() - 3600_000,
      clientId: 'bench-device',
    });
    const t = performance.now();
    await pub.publish();
    await all;
    const secs = (performance.now() - t) / 1000;
    await pub.close();
    await sub.endAsync();
    return readings / secs;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
