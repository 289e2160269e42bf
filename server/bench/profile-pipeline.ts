/**
 * One pipeline run for profiling: `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx server/bench/profile-pipeline.ts json100 5000 1`
 * then `node server/bench/summarize-profile.mjs /tmp/prof/<file>.cpuprofile`. With `PROFILE_BROKER=mosquitto`
 * the server reads a Mosquitto started for the run (`--broker-url`), as `BENCH_ONLY=mosquitto` does.
 */
import { findBinary } from '../test/support/require-binary.js';
import { startMosquitto } from '../test/support/mosquitto.js';
import { fullPipeline, lastCpuPerMessage, type Payload, type PublisherPlace } from './pipeline.js';

const [payload = 'json100', count = '5000', qos = '1', store] = process.argv.slice(2);
const binary = process.env.PROFILE_BROKER === 'mosquitto' ? findBinary('mosquitto') : undefined;
if (process.env.PROFILE_BROKER === 'mosquitto' && !binary) throw new Error('mosquitto not found');
const mq = binary ? await startMosquitto(binary) : undefined;
// PROFILE_PUBLISHER=process: the device publishes from a process of its own, so the profile holds the server alone.
const place: PublisherPlace = process.env.PROFILE_PUBLISHER === 'process' ? 'process' : 'inline';
const rate = await fullPipeline(
  payload as Payload,
  Number(count),
  Number(qos) as 0 | 1,
  mq?.url,
  store ? { store } : {},
  place,
);
await mq?.stop();
process.stdout.write(
  `${payload} ×${count} QoS ${qos}${mq ? ' via Mosquitto' : ''}, device ${place}: ${Math.round(rate).toLocaleString('en')} readings/s, ${lastCpuPerMessage.toFixed(1)} µs CPU per message in this process while measured\n`,
);
