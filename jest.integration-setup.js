// Integration tests start real servers, brokers and a browser. On a slow or busy machine (CI on two cores)
// their set-up can take several seconds, so a test without its own timeout gets 60 s instead of the root's 20 s.
import { jest } from '@jest/globals';

jest.setTimeout(60_000);
