import { describe, expect, it } from '@jest/globals';
import { OrderedAcks } from './ordered-acks.js';

/** A promise the test settles. */
function later() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const turn = () => new Promise((r) => setImmediate(r));

describe('OrderedAcks', () => {
  it('acknowledges in the order the messages came, each only once it is stored', async () => {
    const sent: number[] = [];
    const acks = new OrderedAcks((id) => sent.push(id), 10);
    const [a, b, c] = [later(), later(), later()];
    acks.add(1, a.promise);
    acks.add(2, b.promise);
    acks.add(3, c.promise);
    b.resolve();
    c.resolve();
    await turn();
    expect(sent).toEqual([]); // 2 and 3 are stored, but 1 is not [MQTT-4.6.0-2]
    a.resolve();
    await turn();
    expect(sent).toEqual([1, 2, 3]);
    expect(acks.inFlight).toBe(0);
  });

  it('sends nothing for QoS 0 messages but keeps their place', async () => {
    const sent: number[] = [];
    const acks = new OrderedAcks((id) => sent.push(id), 10);
    const q0 = later();
    acks.add(undefined, q0.promise);
    acks.add(5, Promise.resolve());
    await turn();
    expect(sent).toEqual([]);
    q0.resolve();
    await turn();
    expect(sent).toEqual([5]);
  });

  it('holds the reader once the window is full and lets it on as acknowledgements go', async () => {
    const acks = new OrderedAcks(() => undefined, 2);
    const [a, b] = [later(), later()];
    let reads = 0;
    acks.add(1, a.promise);
    acks.whenRoom(() => reads++);
    acks.add(2, b.promise);
    acks.whenRoom(() => reads++);
    expect(reads).toBe(1); // 2 in flight: the second read waits
    a.resolve();
    await turn();
    expect(reads).toBe(2);
  });

  it('holds the reader once the payload bytes in flight reach maxBytes, but always lets one message in', async () => {
    const acks = new OrderedAcks(() => undefined, 100, 1000);
    const [a, b] = [later(), later()];
    let reads = 0;
    acks.add(1, a.promise, 5000); // larger than the whole budget: alone, it passes
    acks.whenRoom(() => reads++);
    expect(reads).toBe(0);
    a.resolve();
    await turn();
    expect(reads).toBe(1);
    acks.add(2, b.promise, 600);
    acks.whenRoom(() => reads++);
    expect(reads).toBe(2); // 600 of 1000
  });

  it('acknowledges nothing from a failed message on, and nothing of a gone connection on the next', async () => {
    const sent: number[] = [];
    const acks = new OrderedAcks((id) => sent.push(id), 10);
    const [a, b] = [later(), later()];
    acks.add(1, Promise.resolve());
    acks.add(2, a.promise);
    acks.add(3, b.promise);
    a.reject(new Error('disk full'));
    b.resolve();
    await turn();
    expect(sent).toEqual([1]);
    const c = later();
    acks.add(4, c.promise);
    acks.reset(); // the connection went
    c.resolve();
    await turn();
    expect(sent).toEqual([1]);
    expect(acks.inFlight).toBe(0);
    acks.add(2, Promise.resolve()); // redelivered on the next connection
    await turn();
    expect(sent).toEqual([1, 2]);
  });

  it('tells when nothing is in flight any more', async () => {
    const acks = new OrderedAcks(() => undefined, 10);
    await acks.settledAll(); // nothing in flight: at once
    const a = later();
    acks.add(1, a.promise);
    let idle = false;
    void acks.settledAll().then(() => (idle = true));
    await turn();
    expect(idle).toBe(false);
    a.resolve();
    await turn();
    expect(idle).toBe(true);
  });

  it('refuses a window that is not a whole number >= 1', () => {
    expect(() => new OrderedAcks(() => undefined, 0)).toThrow(RangeError);
  });
});
