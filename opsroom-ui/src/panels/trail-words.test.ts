import { describe, expect, it } from '@jest/globals';
import type { AlertTrailEntry } from '@opsroom/models';
import { actorName, noteWords, trailLine, type Names } from './trail-words.js';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const OTHER = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const names: Names = {
  node: (p) => ({ valle: 'Valle', 'valle/norte': 'Norte', 'valle/norte/lana/taller-2': 'Taller 2' })[p] ?? p,
  person: (u) => ({ planner: 'Regional planner', 'council-norte': 'Consejo Norte' })[u] ?? u,
  alert: (id) => (id === ID ? 'Output at Taller 2' : undefined),
};
const entry = (over: Partial<AlertTrailEntry>): AlertTrailEntry => ({
  ...{ at: 0, actor: 'system', action: 'raised', fromNode: 'valle/norte', toNode: 'valle/norte' },
  ...over,
});
const time = () => '14:05';

describe('trailLine', () => {
  it('names the actor and the nodes of a move', () => {
    const line = trailLine(entry({ actor: 'planner', action: 'escalated', toNode: 'valle' }), names, time);
    expect(line).toBe('14:05 Regional planner escalated Norte → Valle');
  });
  it('puts ids, paths and user names inside a note in words', () => {
    const note =
      `priority medium -> high (${ID} from valle/norte/lana/taller-2); ` + 'assigned to council-norte (was planner)';
    expect(trailLine(entry({ action: 'updated', note }), names, time)).toBe(
      '14:05 system updated: “priority medium -> high (Output at Taller 2 from Taller 2); ' +
        'assigned to Consejo Norte (was Regional planner)”',
    );
  });
  it('says "another alert" for an alert the room does not hold, and leaves unknown paths and plain words alone', () => {
    const words = noteWords(`resolved with group ${OTHER}: 5 units/h over`, names);
    expect(words).toBe('resolved with group another alert: 5 units/h over');
  });
});

describe('actorName', () => {
  it('names the system, devices and people', () => {
    expect(actorName('system', names)).toBe('system');
    expect(actorName('device:taller-1-plc', names)).toBe('device taller-1-plc');
    expect(actorName('planner', names)).toBe('Regional planner');
    expect(actorName('someone', names)).toBe('someone');
  });
});
