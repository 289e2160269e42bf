/**
 * One pipeline run for profiling: `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx server/bench/profile-pipeline.ts json100 5000 1`
 * then `node server/bench/summarize-profile.mjs /tmp/prof/<file>.cpuprofile`.
 */
import { fullPipeline, type Payload } from './pipeline.js';

const [payload = 'json100', count = '5000', qos = '1', store] = process.argv.slice(2);
const rate = await fullPipeline(
  payload as Payload,
  Number(count),
  Number(qos) as 0 | 1,
  undefined,
  store ? { store } : {},
);
process.stdout.write(`${payload} ×${count} QoS ${qos}: ${Math.round(rate).toLocaleString('en')} readings/s\n`);
