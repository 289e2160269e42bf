import { describe, expect, it, jest } from '@jest/globals';
import { ApiError, createApi, queryString } from './api.js';

type Call = { url: string; init: RequestInit };

function fakeFetch(status: number, body: unknown) {
  const calls: Call[] = [];
  const fetch = jest.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

describe('queryString', () => {
  it('encodes the defined entries and drops the undefined ones', () => {
    expect(queryString({ node: 'valle/norte', from: 5, to: undefined })).toBe('?node=valle%2Fnorte&from=5');
    expect(queryString({})).toBe('');
  });
});

describe('createApi', () => {
  it('posts the login as JSON with same-origin credentials and returns the user', async () => {
    const f = fakeFetch(200, { token: 't', user: { name: 'planner', role: 'planner', scope: 'valle' } });
    const api = createApi({ fetch: f.fetch });
    const res = await api.login('planner', 'pw');
    expect(res.user.scope).toBe('valle');
    expect(f.calls[0]?.url).toBe('/api/login');
    expect(f.calls[0]?.init.method).toBe('POST');
    expect(f.calls[0]?.init.credentials).toBe('same-origin');
    expect(JSON.parse(String(f.calls[0]?.init.body))).toEqual({ username: 'planner', password: 'pw' });
  });

  it('asks GET /api/session for who is signed in and the demo logins, with same-origin credentials', async () => {
    const body = {
      user: null,
      demo: true,
      demoLogins: [{ username: 'planner', password: 'demo-pw', role: 'planner' }],
    };
    const f = fakeFetch(200, body);
    const api = createApi({ fetch: f.fetch });
    await expect(api.session()).resolves.toEqual(body);
    expect(f.calls[0]?.url).toBe('/api/session');
    expect(f.calls[0]?.init.method).toBe('GET');
    expect(f.calls[0]?.init.credentials).toBe('same-origin');
  });

  it("turns an error answer into an ApiError with the server's message and code", async () => {
    const f = fakeFetch(404, { error: 'no such node', code: 'OPS_ERR_NOT_FOUND' });
    const err = (await createApi({ fetch: f.fetch })
      .model()
      .catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
    expect(err.code).toBe('OPS_ERR_NOT_FOUND');
    expect(err.message).toBe('no such node');
  });

  it('calls onUnauthorized on a 401, but not for login or the /api/me probe', async () => {
    const onUnauthorized = jest.fn();
    const api = createApi({ fetch: fakeFetch(401, { error: 'sign in' }).fetch, onUnauthorized });
    await expect(api.me()).rejects.toMatchObject({ unauthorized: true });
    await expect(api.login('a', 'b')).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).not.toHaveBeenCalled();
    await expect(api.alerts()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('builds the history query and the open-alerts filter', async () => {
    const f = fakeFetch(200, { node: 'valle', indicator: 'output', points: [] });
    const api = createApi({ fetch: f.fetch });
    await api.history({ node: 'valle/norte', indicator: 'output', from: 1000, windowMs: 10_000, aggregate: 'mean' });
    expect(f.calls[0]?.url).toBe(
      '/api/history?node=valle%2Fnorte&indicator=output&from=1000&windowMs=10000&aggregate=mean',
    );
    await api.alerts({ state: 'open' });
    expect(f.calls[1]?.url).toBe('/api/alerts?state=open');
    await api.alerts({ state: 'open', shelved: 'include' });
    expect(f.calls[2]?.url).toBe('/api/alerts?state=open&shelved=include');
  });

  it('sends an alert action with its note, and refuses a comment without one before calling the server', async () => {
    const f = fakeFetch(200, { id: 'a/1' });
    const api = createApi({ fetch: f.fetch });
    await api.act('a/1', 'ack');
    expect(f.calls[0]?.url).toBe('/api/alerts/a%2F1/ack');
    expect(JSON.parse(String(f.calls[0]?.init.body))).toEqual({});
    await api.act('a/1', 'directive', '  slow line 2 ');
    expect(JSON.parse(String(f.calls[1]?.init.body))).toEqual({ note: 'slow line 2' });
    await expect(api.act('a/1', 'comment', '  ')).rejects.toThrow(/needs a note/);
    expect(f.calls).toHaveLength(2);
  });

  it('shelves with minutes and a required note, unshelves without one, and lists maintenance windows of a node', async () => {
    const f = fakeFetch(200, []);
    const api = createApi({ fetch: f.fetch });
    await expect(api.act('a1', 'shelve', ' ', 60)).rejects.toThrow(/needs a note/);
    await api.act('a1', 'shelve', 'tool change', 240);
    expect(f.calls[0]?.url).toBe('/api/alerts/a1/shelve');
    expect(JSON.parse(String(f.calls[0]?.init.body))).toEqual({ note: 'tool change', minutes: 240 });
    await api.act('a1', 'unshelve');
    expect(JSON.parse(String(f.calls[1]?.init.body))).toEqual({});
    await api.maintenance('valle/norte');
    expect(f.calls[2]?.url).toBe('/api/maintenance?node=valle%2Fnorte');
    expect(f.calls[2]?.init.method).toBe('GET');
    await api.assign('a1', 'ana');
    expect([f.calls[3]?.url, JSON.parse(String(f.calls[3]?.init.body))]).toEqual([
      '/api/alerts/a1/assign',
      { user: 'ana' },
    ]);
  });

  it('explains an unreachable server', async () => {
    const api = createApi({ fetch: (async () => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch });
    await expect(api.me()).rejects.toMatchObject({ status: 0, message: expect.stringMatching(/cannot be reached/) });
  });
});
