import { describe, expect, it, jest } from '@jest/globals';
import type { Alert, IndicatorUpdate } from '@opsroom/models';
import { alert, update, VALLE } from '../test-support/fixtures.js';
import { ApiError, type OpsroomApi } from './api.js';
import { connectLive, type LiveSocket } from './live.js';
import { createStore, valueKey } from './state.js';

/** Just enough of a socket.io client socket to drive connectLive by hand. */
class FakeSocket {
  connected = false;
  active = true;
  snapshots = 0;
  connects = 0;
  snapshot: IndicatorUpdate[] = [];
  private handlers = new Map<string, Array<(...args: unknown[]) => void>>();
  on(event: string, fn: (...args: unknown[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  fire(event: string, ...args: unknown[]) {
    if (event === 'connect') this.connected = true;
    if (event === 'disconnect') this.connected = false;
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
  timeout() {
    return { emitWithAck: async () => (this.snapshots++, this.snapshot) };
  }
  connect() {
    this.connects++;
    return this;
  }
  disconnect() {
    this.connected = false;
    return this;
  }
  removeAllListeners() {
    this.handlers.clear();
    return this;
  }
}

function fakeApi(
  alerts: () => Alert[],
  me: () => Promise<unknown> = async () => ({ name: 'p', role: 'planner', scope: 'valle' }),
) {
  return {
    alerts: jest.fn(async () => alerts()),
    latest: jest.fn(async () => []),
    me: jest.fn(me),
  } as unknown as OpsroomApi & { alerts: jest.Mock; me: jest.Mock };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

function setup(api: OpsroomApi, onUnauthorized = jest.fn()) {
  const store = createStore();
  store.dispatch({ type: 'model', model: VALLE });
  const socket = new FakeSocket();
  const link = connectLive({
    store,
    api,
    onUnauthorized,
    connect: () => socket as unknown as LiveSocket,
    refusedRetryMs: 1,
  });
  return { store, socket, link, onUnauthorized };
}

describe('connectLive', () => {
  it('asks for a snapshot and refetches the open alerts on every (re)connection, so the room resynchronises', async () => {
    let open = [alert('a1')];
    const api = fakeApi(() => open);
    const { store, socket } = setup(api);
    expect(store.get().connection).toBe('connecting');

    socket.snapshot = [update('valle', 'output', 10, 5)];
    socket.fire('connect');
    await settle();
    expect(store.get().connection).toBe('live');
    expect(store.get().latest.get(valueKey('valle', 'output'))?.value).toBe(5);
    expect([...store.get().alerts.keys()]).toEqual(['a1']);

    socket.fire('disconnect', 'transport close');
    expect(store.get().connection).toBe('connecting');
    // While away: a1 was resolved elsewhere, a2 raised, and the value moved on.
    open = [alert('a2')];
    socket.snapshot = [update('valle', 'output', 20, 7)];
    socket.fire('connect');
    await settle();
    expect(socket.snapshots).toBe(2);
    expect(api.alerts).toHaveBeenCalledTimes(2);
    expect(api.alerts).toHaveBeenLastCalledWith({ state: 'open', shelved: 'include' });
    expect([...store.get().alerts.keys()]).toEqual(['a2']);
    expect(store.get().latest.get(valueKey('valle', 'output'))?.value).toBe(7);
  });

  it('feeds live events into the store', () => {
    const { store, socket } = setup(fakeApi(() => []));
    socket.fire('indicator:batch', [update('valle/sur', 'energy', 1, 3)]);
    socket.fire('alert:raised', alert('x'));
    socket.fire('alert:escalated', alert('x', { state: 'escalated', updatedAt: 2_000, owner: 'valle/norte/lana' }));
    socket.fire('node:status', [{ node: 'valle/sur', state: 'alert', openAlerts: 1, nextDeadline: 5 }]);
    const s = store.get();
    expect(s.latest.get(valueKey('valle/sur', 'energy'))?.value).toBe(3);
    expect(s.alerts.get('x')?.state).toBe('escalated');
    expect(s.statuses.get('valle/sur')?.state).toBe('alert');
  });

  it('shows the login form when the server refuses the socket because the session is gone', async () => {
    const api = fakeApi(
      () => [],
      async () => Promise.reject(new ApiError(401, 'OPS_ERR_UNAUTHORIZED', 'sign in')),
    );
    const { socket, onUnauthorized } = setup(api);
    socket.active = false; // socket.io does not retry a handshake its server refused
    socket.fire('connect_error', new Error('unauthorized'));
    await settle();
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(socket.connects).toBe(0);
  });

  it('connects again after a refusal or a server-side disconnect while the session still holds', async () => {
    jest.useFakeTimers();
    try {
      const api = fakeApi(() => []);
      const { socket, onUnauthorized } = setup(api);
      socket.active = false;
      socket.fire('connect_error', new Error('busy'));
      await jest.advanceTimersByTimeAsync(0);
      expect(socket.connects).toBe(0); // not before the retry delay
      await jest.advanceTimersByTimeAsync(1);
      expect(socket.connects).toBe(1);
      socket.fire('connect');
      socket.fire('disconnect', 'io server disconnect');
      await jest.advanceTimersByTimeAsync(1);
      expect(socket.connects).toBe(2);
      expect(onUnauthorized).not.toHaveBeenCalled();
    } finally {
      jest.useRealTimers();
    }
  });

  it('stops feeding the store once closed', () => {
    const { store, socket, link } = setup(fakeApi(() => []));
    link.close();
    socket.fire('indicator:batch', [update('valle', 'output', 1, 1)]);
    expect(store.get().latest.size).toBe(0);
    expect(store.get().connection).toBe('offline');
  });
});
