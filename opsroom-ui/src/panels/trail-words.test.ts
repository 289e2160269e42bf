import { afterEach, describe, expect, it } from '@jest/globals';
import { TRAIL_NOTE_KEYS, type AlertTrailEntry, type TrailNoteKey } from '@opsroom/models';
import { setLanguage } from '../i18n/i18n.js';
import { noteSays } from '../i18n/trail-text.js';
import { actorName, noteWords, trailLine, type Names } from './trail-words.js';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const OTHER = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const names: Names = {
  node: (p) => ({ valle: 'Valle', 'valle/norte': 'Norte', 'valle/norte/lana/taller-2': 'Taller 2' })[p] ?? p,
  person: (u) => ({ planner: 'Regional planner', 'council-norte': 'Consejo Norte' })[u] ?? u,
  alert: (id) => (id === ID ? 'Output at Taller 2' : undefined),
  indicator: (id) => (id === 'output' ? 'Production output' : undefined),
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

describe('trail notes the server wrote, in the active language (issue 20 point 4)', () => {
  afterEach(() => setLanguage('en'));
  const priority = entry({
    action: 'updated',
    note: 'priority high -> medium',
    says: { key: 'priority', params: { from: 'high', to: 'medium' } },
  });

  it("keeps the server's English note in English, structured or not", () => {
    expect(trailLine(priority, names, time)).toBe('14:05 system updated: “priority high -> medium”');
    const old = entry({ action: 'escalated', note: 'correction window of valle/norte ran out', toNode: 'valle' });
    expect(trailLine(old, names, time)).toBe(
      '14:05 system escalated Norte → Valle: “correction window of Norte ran out”',
    );
  });

  it('says a note in Spanish from its structured field', () => {
    setLanguage('es');
    expect(trailLine(priority, names, time)).toBe('14:05 sistema actualizó: “prioridad alta → media”');
    const grouped = entry({
      action: 'updated',
      note: `priority medium -> high (${ID} from valle/norte/lana/taller-2)`,
      says: {
        key: 'groupPriority',
        params: { from: 'medium', to: 'high', alert: ID, node: 'valle/norte/lana/taller-2' },
      },
    });
    expect(trailLine(grouped, names, time)).toBe(
      '14:05 sistema actualizó: “prioridad media → alta (Output at Taller 2 desde Taller 2)”',
    );
  });

  it('says an old entry with only an English note in Spanish, read from its fixed pattern', () => {
    setLanguage('es');
    const reclassified = entry({ action: 'updated', note: 'reclassified: now a step change (97 % sure), was change' });
    expect(trailLine(reclassified, names, time)).toBe(
      '14:05 sistema actualizó: “reclasificada: ahora un cambio de tipo escalón (seguro al 97 %), antes cambio”',
    );
    const escalated = entry({ action: 'escalated', note: 'correction window of valle/norte ran out', toNode: 'valle' });
    expect(trailLine(escalated, names, time)).toBe(
      '14:05 sistema escaló Norte → Valle: “se agotó la ventana de corrección de Norte”',
    );
    const assigned = entry({
      actor: 'planner',
      action: 'assigned',
      note: 'assigned to council-norte (was planner): take the night shift',
    });
    expect(trailLine(assigned, names, time)).toBe(
      '14:05 Regional planner asignó: “asignada a Consejo Norte (antes Regional planner): take the night shift”',
    );
    const refired = entry({
      action: 'refired',
      note: 'fired again: a new change, 41.2 (6.3 σ below the forecast, 97 % sure)',
    });
    expect(trailLine(refired, names, time)).toBe(
      '14:05 sistema volvió a disparar: “se disparó de nuevo: un nuevo cambio, 41,2 ' +
        '(6,3 σ por debajo de la previsión, seguro al 97 %)”',
    );
    const raised = entry({ note: 'step change in output latency (88 % sure)' });
    expect(trailLine(raised, names, time)).toBe(
      '14:05 sistema levantó: “cambio de tipo escalón en Production output latencia (seguro al 88 %)”',
    );
  });

  it('reads times of old notes and leaves people’s own notes and unknown notes as written', () => {
    const shelved = noteSays(
      entry({ actor: 'planner', action: 'shelved', note: 'until 2026-12-06T07:00:00.000Z: pump' }),
    );
    expect(shelved).toEqual({ key: 'shelved', params: { until: Date.UTC(2026, 11, 6, 7), note: 'pump' } });
    setLanguage('es');
    const comment = entry({ actor: 'planner', action: 'commented', note: 'priority high -> medium' });
    expect(noteSays(comment)).toBeUndefined();
    expect(trailLine(comment, names, time)).toBe('14:05 Regional planner comentó: “priority high -> medium”');
    const odd = entry({ action: 'updated', note: 'something new a later server says' });
    expect(trailLine(odd, names, time)).toBe('14:05 sistema actualizó: “something new a later server says”');
  });
});

describe('the fixed English notes of old entries', () => {
  // One note per key as the server writes it (server/src/alerts/alert-lifecycle.ts, alert-service.ts).
  const samples: Record<TrailNoteKey, Partial<AlertTrailEntry>> = {
    raised: { note: 'change change in output (91 % sure)' },
    groupRaised: { note: '2 of 3 children of valle/norte alerted within 60 s: valle/norte/lana, valle/norte/tejidos' },
    silence: { note: 'no output readings from device plc-1 since 2026-12-06T05:00:00.000Z (300 s)' },
    reopened: {
      action: 'raised',
      note: 're-raised while chattering: 4 raises within 30 min (more than 2 re-raises); held as this one alert',
    },
    refired: { action: 'refired', note: 'fired again: the series stopped varying, 12 (97 % sure)' },
    refiredSilence: {
      action: 'refired',
      note: 'fired again: no output readings from device plc-1 since 2026-12-06T05:00:00.000Z (300 s)',
    },
    reclassified: { action: 'updated', note: 'reclassified: now a slope change (80 % sure), was transient' },
    priority: { action: 'updated', note: 'priority medium -> high' },
    groupPriority: { action: 'updated', note: `priority medium -> high (${ID} from valle/norte/lana)` },
    escalated: { action: 'escalated', note: 'correction window of valle/norte ran out' },
    escalatedGroup: {
      action: 'escalated',
      note: `correction window of valle/norte ran out; group ${ID} carries it further`,
    },
    escalatedRoot: { action: 'escalated', note: 'correction window ran out at the root' },
    escalatedUp: { action: 'escalated', note: 'correction window of valle/norte ran out; handed up to server region' },
    shelved: { actor: 'planner', action: 'shelved', note: 'until 2026-12-06T07:00:00.000Z' },
    shelfExpired: { action: 'unshelved', note: 'shelf expired (set by planner until 2026-12-06T07:00:00.000Z)' },
    assigned: { actor: 'planner', action: 'assigned', note: 'assigned to planner' },
    unassigned: { actor: 'planner', action: 'assigned', note: 'unassigned (was planner): off shift' },
    grouped: { action: 'grouped', note: `grouped by ${ID} at valle/norte` },
    groupAdded: { action: 'grouped', note: `added ${ID} from valle/norte/lana` },
    resolvedWithGroup: { actor: 'planner', action: 'resolved', note: `resolved with group ${ID}: fixed` },
    groupResolved: { action: 'resolved', note: 'every grouped alert is resolved (the last by planner)' },
    maintenance: {
      action: 'updated',
      note: 'under maintenance window w1 on valle/norte until 2026-12-06T07:00:00.000Z: new loom',
    },
    maintenanceEnded: { action: 'updated', note: 'maintenance window w1 ended' },
    directiveReceived: { actor: 'device:plc-1', action: 'commented', note: 'directive received' },
  };

  it('are all read back to their key, and every key is said in Spanish without a hole left', () => {
    setLanguage('es');
    for (const key of TRAIL_NOTE_KEYS) {
      const e = entry(samples[key]);
      expect([key, noteSays(e)?.key]).toEqual([key, key]);
      expect([key, trailLine(e, names, time)]).not.toEqual([key, expect.stringMatching(/[{}]|undefined|NaN/)]);
    }
    setLanguage('en');
  });
});
