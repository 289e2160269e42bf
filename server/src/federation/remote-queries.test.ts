import { describe, expect, it, jest } from '@jest/globals';
import { OpsError } from '../errors.js';
import { answerBody, childBudgetMs, RemoteQueries, type RemoteQuery } from './remote-queries.js';

describe('drill-down queries to child servers (issue 19 point 3)', () => {
  const q = { route: 'latest' as const, scope: 'valle', node: 'valle/norte/lana' };

  it("matches an answer to its question by qid and child; another child's or a late one is dropped", async () => {
    const sent: Array<[string, RemoteQuery]> = [];
    const rq = new RemoteQueries({ send: (c, x) => sent.push([c, x]), connected: () => true });
    const pending = rq.ask('norte', q);
    const [[child, query]] = sent as [[string, RemoteQuery]];
    expect(child).toBe('norte');
    expect(query).toMatchObject({ kind: 'query', ...q });
    rq.answered('sur', { kind: 'answer', qid: query.qid, status: 200, body: 'wrong' });
    rq.answered('norte', { kind: 'answer', qid: query.qid, status: 200, body: [1] });
    await expect(pending).resolves.toMatchObject({ body: [1] });
    rq.answered('norte', { kind: 'answer', qid: query.qid, status: 200, body: [2] }); // nothing waits: no throw
    rq.close();
  });

  it('refuses at once when the child is not connected, and after the timeout when it does not answer', async () => {
    jest.useFakeTimers();
    try {
      const off = new RemoteQueries({ send: () => {}, connected: () => false });
      await expect(off.ask('norte', q)).rejects.toMatchObject({ code: 'OPS_ERR_SERVER_UNREACHABLE', statusCode: 503 });
      const silent = new RemoteQueries({ send: () => {}, connected: () => true, timeoutMs: 1000 });
      const asked = silent.ask('norte', q);
      jest.advanceTimersByTime(1000);
      await expect(asked).rejects.toThrow('did not answer within 1 s');
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives the child less time than it waits itself, and waits no longer than its own asker (a query from above)', async () => {
    expect([10_000, 8000, 1000, 200].map(childBudgetMs)).toEqual([8000, 6400, 750, 0]);
    jest.useFakeTimers();
    try {
      const sent: RemoteQuery[] = [];
      const rq = new RemoteQueries({ send: (_c, x) => sent.push(x), connected: () => true, timeoutMs: 10_000 });
      const top = rq.ask('norte', q); // asked by a planner here: its own 10 s
      expect(sent[0]).toMatchObject({ budgetMs: 8000 });
      // passed on from a parent that waits 3 s: the child gets 2.4 s, and the answer is given up on at 3 s
      const passedOn = rq.ask('lana', { ...q, budgetMs: 3000 });
      expect(sent[1]).toMatchObject({ budgetMs: 2400 });
      jest.advanceTimersByTime(2999);
      rq.answered('norte', { kind: 'answer', qid: sent[0]!.qid, status: 200, body: [] });
      await expect(top).resolves.toMatchObject({ status: 200 });
      jest.advanceTimersByTime(1);
      await expect(passedOn).rejects.toThrow('server "lana", which owns valle/norte/lana, did not answer within 3 s');
      rq.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it("gives the child's error as this server's own, an unknown code as a bad request", () => {
    expect(answerBody({ kind: 'answer', qid: 'x', status: 200, body: { a: 1 } })).toEqual({ a: 1 });
    const notFound = (() => {
      try {
        answerBody({ kind: 'answer', qid: 'x', status: 404, code: 'OPS_ERR_NOT_FOUND', detail: 'node valle/x' });
      } catch (err) {
        return err as OpsError;
      }
    })();
    expect(notFound).toMatchObject({ code: 'OPS_ERR_NOT_FOUND', statusCode: 404 });
    expect(notFound!.message).toMatch(/: node valle\/x$/);
    expect(() => answerBody({ kind: 'answer', qid: 'x', status: 418, code: 'OPS_ERR_FROM_THE_FUTURE' })).toThrow(
      expect.objectContaining({ code: 'OPS_ERR_BAD_REQUEST' }) as unknown as Error,
    );
  });
});
