// Integration tests start real servers, brokers and a browser. On a slow or busy machine (CI on two cores)
// their set-up can take several seconds, so a test without its own timeout gets 60 s instead of the root's 20 s.
import { jest } from '@jest/globals';

jest.setTimeout(60_000);

// A test that fails is run once more, its first failure printed (logErrorsBeforeRetry): on this two-core machine a
// fresh-clone run of the whole suite has failed on a different test each time (a NATS failover's 240 s, an admin
// route's MQTT reconnect, an InfluxDB double's full buffer), each passing alone and in the run before. A second
// failure fails the run; the first is still in the log to read.
jest.retryTimes(1, { logErrorsBeforeRetry: true });
