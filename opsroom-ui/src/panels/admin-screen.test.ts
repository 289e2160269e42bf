import { describe, expect, it } from '@jest/globals';
import { bufferText, contactText, mayAdminister, rolesUpTo } from './admin-screen.js';

describe('admin screen words', () => {
  it('offers the roles up to the caller’s own, and the screen to admins and councils only', () => {
    expect(rolesUpTo('council')).toEqual(['council']);
    expect(rolesUpTo('planner')).toEqual(['council', 'planner']);
    expect(rolesUpTo('admin')).toEqual(['council', 'planner', 'admin']);
    expect(rolesUpTo('device')).toEqual([]);
    expect(['admin', 'council', 'planner'].map((role) => mayAdminister({ name: 'x', role, scope: 'v' }))).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('says when a device was last heard and how its buffer is', () => {
    expect(contactText({ lastContact: null, connected: false }, 0)).toBe('not heard since the server started');
    expect(contactText({ lastContact: 10_000, connected: true }, 22_000)).toBe('connected · heard 12 s ago');
    expect(bufferText({ health: 'unknown' })).toBe('no status yet');
    expect(bufferText({ health: 'ok', depth: 0, dropped: 0 })).toBe('ok: 0 waiting');
    expect(bufferText({ health: 'dropping', depth: 900, dropped: 17 })).toBe('dropping: 900 waiting, 17 dropped');
  });
});
